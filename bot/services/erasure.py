"""Erase a person: every word, name, number and address goes; the anonymous rows stay.

What the programme counts (how many people, check-ins, escalations, referrals, their
statuses and times) keeps its rows, so the figures stay right after an erasure. What could
identify the person or tell their story is overwritten in place: message bodies and
button labels, notes, the name, the phone, channel addresses, invitation codes, the
conversation's saved answers, free-text fields, and the strings audit events carried.

Bulk UPDATE statements do the work, so a long history is never loaded into memory.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Session, col, select

from bot.models import (
    Appointment,
    AuditEvent,
    ChannelIdentity,
    CheckIn,
    ConversationState,
    Escalation,
    Invite,
    Message,
    Note,
    Person,
    Referral,
)
from bot.models.enums import CheckInStatus, EscalationStatus, MessageStatus, PersonStatus
from bot.services import Conflict

ERASED_NAME = "erased"
ERASED_ADDRESS = "erased"
PERSON_ERASED = "This person's data was erased; nothing more can be recorded about them."
ALREADY_ERASED = "This person's data was already erased."
_AUDIT_BATCH = 500
_UNSENT = (MessageStatus.queued, MessageStatus.sending)
_OPEN_CHECKINS = (CheckInStatus.scheduled, CheckInStatus.sending, CheckInStatus.sent)


def ensure_not_erased(person: Person) -> None:
    """Refuse any write about an erased person (the views answer 409)."""
    if person.erased_at is not None:
        raise Conflict(PERSON_ERASED)


def erased_token() -> str:
    """A unique stand-in for an address or a code: unguessable, and it identifies no one."""
    return f"erased-{secrets.token_hex(16)}"


def messages_of(person_id: int, identities: list[ChannelIdentity]) -> ColumnElement[bool]:
    """The person's messages, including those that arrived on their addresses before the
    address was linked to them (an invitation code typed into a new chat)."""
    linked = [
        and_(col(Message.channel) == i.channel, col(Message.address) == i.address)
        for i in identities
    ]
    return or_(col(Message.person_id) == person_id, *linked)


def identities_of(session: Session, person_id: int) -> list[ChannelIdentity]:
    return list(
        session.exec(
            select(ChannelIdentity)
            .where(ChannelIdentity.person_id == person_id)
            .order_by(col(ChannelIdentity.id))
        ).all()
    )


def erase_person(session: Session, person: Person, *, now: datetime) -> None:
    """Erase everything personal held on `person` and flush; the caller audits and commits.
    `person` should be locked (selected FOR UPDATE) so two erasures cannot interleave."""
    if person.erased_at is not None:
        raise Conflict(ALREADY_ERASED)
    assert person.id is not None
    person_id = person.id
    identities = identities_of(session, person_id)
    in_messages = messages_of(person_id, identities)

    # Nothing more goes out to them: the outbox rows fail before their bodies are wiped.
    session.execute(
        update(Message)
        .where(in_messages, col(Message.status).in_(_UNSENT))
        .values(status=MessageStatus.failed, error="erased", next_attempt_at=None)
    )
    for identity in identities:
        token = erased_token()
        # Outbound Telegram ids carry the chat id ("<chat>:<message>").
        chat_prefix = f"{identity.address}:"
        session.execute(
            update(Message)
            .where(
                col(Message.channel) == identity.channel,
                col(Message.provider_message_id).startswith(chat_prefix, autoescape=True),
            )
            .values(provider_message_id=None)
        )
        session.execute(
            update(Message)
            .where(
                col(Message.channel) == identity.channel, col(Message.address) == identity.address
            )
            .values(address=token, body="", choices=None, choice_id=None)
        )
        identity.address = token
        identity.opted_out = True  # unreachable: no sweep or reply picks this identity
        session.add(identity)
    session.execute(
        update(Message)
        .where(col(Message.person_id) == person_id)
        .values(body="", choices=None, choice_id=None)
    )
    # An SMS invitation is addressed to the phone before any identity exists.
    session.execute(
        update(Message)
        .where(
            col(Message.person_id) == person_id,
            ~col(Message.address).startswith("erased"),
        )
        .values(address=ERASED_ADDRESS)
    )

    session.execute(update(Note).where(col(Note.person_id) == person_id).values(body=""))
    session.execute(update(CheckIn).where(col(CheckIn.person_id) == person_id).values(note=None))
    session.execute(
        update(CheckIn)
        .where(col(CheckIn.person_id) == person_id, col(CheckIn.status).in_(_OPEN_CHECKINS))
        .values(status=CheckInStatus.cancelled, nudge_at=None)
    )
    session.execute(
        update(Appointment)
        .where(col(Appointment.person_id) == person_id)
        .values(place="", response_reason=None, remind_at=None)
    )
    session.execute(
        update(Referral)
        .where(col(Referral.person_id) == person_id)
        .values(shared_fields={}, note=None)
    )
    session.execute(
        update(Escalation)
        .where(col(Escalation.person_id) == person_id)
        .values(detail="", resolution_note=None)
    )
    # Nothing more can be done or recorded for them: their open escalations close (with no
    # outcome: none was reached), so no deadline alerts a supervisor about an erased case
    # and no queue keeps one nobody can act on.
    session.execute(
        update(Escalation)
        .where(col(Escalation.person_id) == person_id, col(Escalation.is_resolved).is_(False))
        .values(status=EscalationStatus.resolved, is_resolved=True, resolved_at=now)
    )
    for invite in session.exec(select(Invite).where(Invite.person_id == person_id)).all():
        invite.code = erased_token()
        if invite.used_at is None and invite.expires_at > now:
            invite.expires_at = now
        session.add(invite)
    state = session.get(ConversationState, person_id)
    if state is not None:
        state.flow = None
        state.step = None
        state.data = {}
        state.updated_at = now
        session.add(state)
    _scrub_audit_details(session, person_id)

    person.display_name = ERASED_NAME
    person.phone_e164 = None
    person.status = PersonStatus.closed
    person.closed_at = person.closed_at or now
    person.next_checkin_at = None
    person.officer_reply_until = None
    person.bodies_purged_at = now
    person.erased_at = now
    person.updated_at = now
    session.add(person)
    session.flush()


def anonymous_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    """What of an audit event's detail may stay after an erasure: numbers, flags and lists
    of ids. Any string could be a name, a number or a quote, so none is kept."""
    kept: dict[str, Any] = {}
    for key, value in detail.items():
        if value is None or isinstance(value, bool | int | float):
            kept[key] = value
        elif isinstance(value, list) and all(
            isinstance(item, bool | int | float) for item in value
        ):
            kept[key] = value
    return kept


def _scrub_audit_details(session: Session, person_id: int) -> None:
    """Rewrite the details of the person's audit events, a batch at a time by id."""
    after = 0
    while True:
        rows = session.exec(
            select(AuditEvent.id, AuditEvent.detail)
            .where(AuditEvent.person_id == person_id, col(AuditEvent.id) > after)
            .order_by(col(AuditEvent.id))
            .limit(_AUDIT_BATCH)
        ).all()
        changed = [
            {"id": event_id, "detail": anonymous_detail(detail or {})}
            for event_id, detail in rows
            if detail and anonymous_detail(detail) != detail
        ]
        if changed:
            session.execute(update(AuditEvent), changed)
        if len(rows) < _AUDIT_BATCH:
            return
        after = rows[-1][0] or 0
