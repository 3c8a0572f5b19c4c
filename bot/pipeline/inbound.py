"""The inbound pipeline: dedupe, persist, resolve the person, run the flow, apply effects
and queue replies, all in a savepoint of the processor's transaction (bot/intake): the
message's own, or one it shares with other senders' messages (`shares_savepoint`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, func, select

import flows
from bot.channels.sms.strangers import (
    STRANGER_CRISIS_KIND,
    sms_invite_code,
    stranger_may_get_reply,
)
from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import ChannelIdentity, Invite, Message, Person
from bot.models.enums import Direction, MessageStatus
from bot.models.message import new_message
from bot.pipeline import staged_messages
from bot.pipeline.context import build_context
from bot.pipeline.conversation import as_language
from bot.pipeline.effects import Target, apply_flow_result, queue_reply
from bot.pipeline.prefetch import take_sender
from flows import crisis
from flows.render import render_reply
from flows.types import InviteCheck, Language, Reply, UserInput
from flows.understanding import understand

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 10_000
# Wrong invitation codes looked up per chat in a rolling hour. The next code from that
# chat within the hour is stored as "code_throttled" and neither looked up nor answered.
MAX_BAD_CODES_PER_HOUR = 5
BAD_CODE_WINDOW = timedelta(hours=1)
BAD_CODE_KIND = "bad_code"
THROTTLED_CODE_KIND = "code_throttled"


def shares_savepoint(session: Session) -> bool:
    """Whether a caller (the processor) runs several messages in one savepoint and, if
    anything fails, redoes each alone: a message then takes no savepoint of its own (two
    statements, and a flush, per message) and lets every error through. Such a caller
    opens the savepoint's stage of messages (bot/pipeline/staged_messages.py)."""
    return staged_messages.stage_is_open(session)


@dataclass(frozen=True)
class InboundMessage:
    """A channel-neutral inbound event, built by each webhook from its provider's payload."""

    channel: str
    address: str
    provider_message_id: str
    text: str | None = None
    choice: str | None = None
    language_hint: str | None = None
    # "text", "choice", or what else arrived ("photo", "voice", "sticker", "edited", ...).
    kind: str = "text"

    def __post_init__(self) -> None:
        # A client can put NUL (PostgreSQL refuses it in text) or a lone surrogate (not
        # UTF-8) into a message or a button's data; store what can be stored, never a 500.
        for name in ("address", "provider_message_id", "text", "choice", "language_hint"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, storable(value))


def storable(value: str) -> str:
    """`value` without NUL bytes and with lone surrogates replaced by U+FFFD."""
    return "".join(
        "\ufffd" if "\ud800" <= char <= "\udfff" else char for char in value if char != "\x00"
    )


@dataclass(frozen=True)
class InboundOutcome:
    duplicate: bool
    message_id: int | None = None
    replies: int = 0


def process_inbound(
    engine: Engine,
    inbound: InboundMessage,
    *,
    settings: Settings,
    now: datetime | None = None,
    stranger_replies_per_day: int | None = None,
) -> InboundOutcome:
    """`process_inbound_in` in a transaction of its own."""
    with session_scope(engine) as session:
        return process_inbound_in(
            session,
            inbound,
            settings=settings,
            now=now or utcnow(),
            stranger_replies_per_day=stranger_replies_per_day,
        )


def process_inbound_in(
    session: Session,
    inbound: InboundMessage,
    *,
    settings: Settings,
    now: datetime,
    stranger_replies_per_day: int | None = None,
) -> InboundOutcome:
    """Store, understand and answer one message inside the caller's transaction (in a
    savepoint of its own, so a failure leaves the rest of the caller's batch alone).

    `stranger_replies_per_day`: answer an unknown sender at most that often (SMS, where
    every reply is billed); None for no limit."""
    if shares_savepoint(session):
        return _process(session, inbound, now, settings, stranger_replies_per_day)
    try:
        with session.begin_nested():
            return _process(session, inbound, now, settings, stranger_replies_per_day)
    except IntegrityError:
        # The unique (channel, provider_message_id) said: delivered before. Nothing changes.
        log.info("duplicate inbound", extra={"channel": inbound.channel})
        return InboundOutcome(duplicate=True)
    except Exception as exc:
        if isinstance(exc, SQLAlchemyError):
            raise
        # A bug in a flow must not lose the person's message nor leave them unanswered.
        log.exception(
            "flow failed; storing the message with an apology", extra={"channel": inbound.channel}
        )
        return _store_with_apology(session, inbound, now)


def _process(
    session: Session,
    inbound: InboundMessage,
    now: datetime,
    settings: Settings,
    stranger_replies_per_day: int | None = None,
) -> InboundOutcome:
    # The sender's identity and person in one statement; what changes on them is written
    # with the message's insert (one flush).
    known, found = take_sender(session, inbound.channel, inbound.address)
    if not known:
        found = session.exec(
            select(ChannelIdentity, Person)
            .join(Person, col(Person.id) == col(ChannelIdentity.person_id))
            .where(
                ChannelIdentity.channel == inbound.channel,
                ChannelIdentity.address == inbound.address,
            )
            .with_for_update(of=ChannelIdentity)
        ).first()
    identity, person = found if found is not None else (None, None)
    if identity is not None and person is not None:
        identity.last_seen_at = now
        person.last_inbound_at = now
        person.updated_at = now  # as the flow's effects will set it: one UPDATE, not two
    # A stranger's message is written at once: what is done for them counts their own
    # messages, this one among them (wrong codes, crisis texts answered once an hour).
    message = insert_inbound(
        session, inbound, now, identity=identity, flush=False, staged=person is not None
    )

    invite = None
    if person is None:
        if _codes_throttled(session, inbound, now):
            # Someone is guessing codes: keep the attempt, look nothing up, answer nothing.
            message.kind = THROTTLED_CODE_KIND
            session.flush()
            log.info("invite code attempts throttled", extra={"channel": inbound.channel})
            return InboundOutcome(duplicate=False, message_id=message.id, replies=0)
        # On SMS, "YES" from the phone an invitation was texted to stands for its code.
        sms_code = sms_invite_code(session, inbound.channel, inbound.address, inbound.text, now)
        invite = _check_invite(session, sms_code or inbound.text, now)
        if invite is not None and invite.status != "valid":
            message.kind = BAD_CODE_KIND  # counted by _codes_throttled
        if stranger_replies_per_day is not None and crisis.detect(inbound.text) is not None:
            message.kind = STRANGER_CRISIS_KIND  # counted by stranger_may_get_reply
            session.flush()
        if (
            stranger_replies_per_day is not None
            and (invite is None or invite.status != "valid")
            and not stranger_may_get_reply(
                session,
                inbound.channel,
                inbound.address,
                now,
                per_day=stranger_replies_per_day,
                text=inbound.text,
            )
        ):
            session.flush()  # kept for the record, not answered (each reply costs money)
            return InboundOutcome(duplicate=False, message_id=message.id, replies=0)
    language = _language(person, invite, inbound.language_hint, inbound.text)
    # Reads only, none of them of the rows just changed: no flush before them.
    with session.no_autoflush:
        ctx = build_context(
            session,
            settings,
            person=person,
            user_input=UserInput(
                text=inbound.text,
                choice=inbound.choice,
                language_hint=inbound.language_hint,
                kind=inbound.kind,
            ),
            now=now,
            language=language,
            invite=invite,
        )
    result = flows.handle(ctx)
    applied = apply_flow_result(
        session,
        result,
        person=person,
        target=Target(inbound.channel, inbound.address, identity),
        now=now,
        fallback_language=language,
        settings=settings,
        cause=message,
    )
    if applied.person is not None and message.person_id is None:
        message.person_id = applied.person.id
        message.identity_id = applied.identity.id if applied.identity else None
        staged_messages.keep(session, message)
    if shares_savepoint(session):
        # Written with the other messages of the caller's savepoint; no id before that.
        return InboundOutcome(duplicate=False, message_id=None, replies=len(applied.replies))
    session.flush()
    return InboundOutcome(duplicate=False, message_id=message.id, replies=len(applied.replies))


def insert_inbound(
    session: Session,
    inbound: InboundMessage,
    now: datetime,
    *,
    identity: ChannelIdentity | None = None,
    kind: str | None = None,
    flush: bool = True,
    staged: bool = False,
) -> Message:
    """Store what arrived; a second delivery of the same provider id raises IntegrityError
    at the flush. `flush=False` leaves the insert to the caller's next flush (`staged`: or
    to the end of a shared savepoint, bot/pipeline/staged_messages.py), so the id is not
    known yet."""
    body = inbound.text
    if not body and inbound.choice:
        body = _pressed_label(session, inbound)
    message = new_message(
        direction=Direction.inbound,
        channel=inbound.channel,
        address=inbound.address,
        provider_message_id=inbound.provider_message_id,
        person_id=identity.person_id if identity else None,
        identity_id=identity.id if identity else None,
        kind=kind or inbound.kind,
        body=(body or "")[:MAX_BODY_CHARS],
        choice_id=inbound.choice,
        status=MessageStatus.received,
        created_at=now,
    )
    if staged and not flush:
        staged_messages.add(session, message)
    else:
        session.add(message)
    if flush:
        session.flush()
    return message


# Built once: assembling the statement cost as much as running it, on a fifth of all
# messages (button presses).
_RECENT_CHOICES = (
    select(Message.choices)
    .where(
        Message.channel == bindparam("channel"),
        Message.address == bindparam("address"),
        Message.direction == Direction.outbound,
    )
    .order_by(col(Message.id).desc())
    .limit(5)
)


def _pressed_label(session: Session, inbound: InboundMessage) -> str | None:
    """The label of the pressed button, so the transcript reads as the person saw it.
    Only earlier outbound rows are read, with no flush of what this message changed."""
    recent = session.connection().execute(
        _RECENT_CHOICES, {"channel": inbound.channel, "address": inbound.address}
    )
    for (choices,) in recent:
        for choice in choices or []:
            if choice.get("id") == inbound.choice:
                return f"[{choice.get('label', inbound.choice)}]"
    return f"[{inbound.choice}]"


def _codes_throttled(session: Session, inbound: InboundMessage, now: datetime) -> bool:
    if flows.extract_invite_code(inbound.text) is None:
        return False
    wrong = session.exec(
        select(func.count(col(Message.id))).where(
            Message.channel == inbound.channel,
            Message.address == inbound.address,
            Message.direction == Direction.inbound,
            Message.kind == BAD_CODE_KIND,
            col(Message.created_at) >= now - BAD_CODE_WINDOW,
        )
    ).one()
    return wrong >= MAX_BAD_CODES_PER_HOUR


def _check_invite(session: Session, text: str | None, now: datetime) -> InviteCheck | None:
    code = flows.extract_invite_code(text)
    if code is None:
        return None
    invite = session.exec(select(Invite).where(Invite.code == code)).first()
    if invite is None:
        return InviteCheck(code=code, status="unknown")
    if invite.used_at is not None:
        return InviteCheck(code=code, status="used")
    if invite.expires_at <= now:
        return InviteCheck(code=code, status="expired")
    invited = session.get(Person, invite.person_id)
    return InviteCheck(
        code=code,
        status="valid",
        person_language=as_language(invited.language) if invited else None,
    )


def _language(
    person: Person | None, invite: InviteCheck | None, hint: str | None, text: str | None
) -> Language:
    if person is not None:
        return as_language(person.language)
    if invite is not None and invite.person_language:
        return invite.person_language
    # A stranger who writes Kazakh ("Сәлем") is answered in Kazakh whatever their app's
    # language; otherwise the app's language decides (a Kazakh phone's "Привет" is no
    # reason to switch), and without one, the language they wrote in.
    written = understand(text).language if text else None
    if written == "kk" or (not hint and written in ("ru", "en")):
        return as_language(written)
    return as_language((hint or "")[:2].lower())


def _store_with_apology(session: Session, inbound: InboundMessage, now: datetime) -> InboundOutcome:
    try:
        with session.begin_nested():
            identity = session.exec(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == inbound.channel,
                    ChannelIdentity.address == inbound.address,
                )
            ).first()
            message = insert_inbound(session, inbound, now, identity=identity)
            person = session.get(Person, identity.person_id) if identity else None
            language = as_language(person.language if person else None)
            queue_reply(
                session,
                render_reply(Reply(key="common.error"), language),
                Target(inbound.channel, inbound.address, identity),
                identity,
                person,
                language,
                now,
                "reply",
            )
            return InboundOutcome(duplicate=False, message_id=message.id, replies=1)
    except IntegrityError:
        return InboundOutcome(duplicate=True)
