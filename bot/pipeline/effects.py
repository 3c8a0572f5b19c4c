"""Carry out a FlowResult inside the caller's transaction: effects, state, queued replies.

Nothing here talks to a provider. Replies become queued outbound messages, which the
dispatcher sends after commit, so nothing is sent for a state that was rolled back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.core import audit
from bot.core.settings import Settings
from bot.models import (
    ChannelIdentity,
    CheckIn,
    ConsentRecord,
    Invite,
    Message,
    Person,
)
from bot.models.enums import CheckInStatus, Direction, MessageStatus, PersonStatus
from bot.models.message import new_message
from bot.pipeline import staged_messages
from bot.pipeline.conversation import as_language, save_state, state_row
from bot.pipeline.effect_records import (
    answer_referral_offer,
    create_referral,
    rate_referral,
    respond_to_appointment,
    set_paused,
)
from bot.pipeline.escalations import open_escalation
from bot.scheduling.cadence import next_checkin_after
from flows.render import render_reply
from flows.types import (
    IDLE,
    ActivatePerson,
    AnswerReferralOffer,
    CountMisunderstanding,
    CreateReferral,
    FlowResult,
    Language,
    OpenEscalation,
    PassToOfficer,
    RateReferral,
    RecordCheckInAnswer,
    RecordConsent,
    RedeemInvite,
    Reply,
    RespondToAppointment,
    SetLanguage,
    SetPaused,
)

log = logging.getLogger(__name__)


@dataclass
class Target:
    """Where the replies go: a channel address, and the identity behind it if known."""

    channel: str
    address: str
    identity: ChannelIdentity | None = None


@dataclass
class Applied:
    person: Person | None
    identity: ChannelIdentity | None
    replies: list[Message]


def apply_flow_result(
    session: Session,
    result: FlowResult,
    *,
    person: Person | None,
    target: Target,
    now: datetime,
    fallback_language: Language,
    settings: Settings,
    kind: str = "reply",
    cause: Message | None = None,
) -> Applied:
    """`cause`: the inbound message being answered (escalations point to it; it may not be
    written yet, and is flushed only when one does)."""
    identity = target.identity
    misunderstood: int | None = None
    for effect in result.effects:
        match effect:
            case RedeemInvite(code=code):
                person, identity = _redeem_invite(session, code, target, now)
                if person is None:
                    # A concurrent redemption used the code first: answer as for a used code
                    # and carry out nothing else the flow planned for an enrolled person.
                    result = FlowResult(replies=(Reply(key="enroll.code_not_valid"),), state=IDLE)
                    break
            case _ if person is None:
                log.error("effect needs a person", extra={"effect": type(effect).__name__})
            case RecordConsent(granted=granted, text_version=version):
                assert person.id is not None
                session.add(
                    ConsentRecord(
                        person_id=person.id,
                        granted=granted,
                        text_version=version,
                        channel=target.channel,
                        created_at=now,
                    )
                )
                person.consent_given = granted
                person.consent_at = now
            case SetLanguage(language=language):
                person.language = language
            case ActivatePerson():
                _activate(person, now)
            case RecordCheckInAnswer() as answer:
                _record_checkin_answer(session, person, answer, now)
            case CreateReferral() as referral:
                create_referral(session, settings, person, referral, target.channel, now)
            case RespondToAppointment() as response:
                respond_to_appointment(session, person, response, now)
            case AnswerReferralOffer(referral_id=referral_id, agreed=agreed):
                answer_referral_offer(
                    session, settings, person, referral_id, agreed, target.channel, now
                )
            case RateReferral(referral_id=referral_id, rating=rating):
                rate_referral(session, person, referral_id, rating, now)
            case SetPaused(paused=paused):
                set_paused(person, paused)
            case CountMisunderstanding(reset=reset):
                misunderstood = 0 if reset else _misunderstood(session, person) + 1
            case OpenEscalation(reason=reason, severity=severity, detail=detail):
                assert person.id is not None
                open_escalation(
                    session,
                    settings,
                    person_id=person.id,
                    reason=reason,
                    severity=severity,
                    detail=detail,
                    now=now,
                    message_id=_id_of(session, cause),
                )
            case PassToOfficer():
                _pass_to_officer(session, settings, person, now, _id_of(session, cause))
            case _:
                log.error("unknown effect", extra={"effect": type(effect).__name__})
    if person is not None:
        assert person.id is not None
        person.updated_at = now
        session.add(person)
        save_state(session, person.id, result.state, misunderstood_in_row=misunderstood)
    language = as_language(person.language if person else None, fallback_language)
    replies = [
        queue_reply(session, reply_text, target, identity, person, language, now, kind)
        for reply_text in (render_reply(reply, language) for reply in result.replies)
    ]
    return Applied(person=person, identity=identity, replies=replies)


def _id_of(session: Session, message: Message | None) -> int | None:
    return staged_messages.written(session, message) if message is not None else None


def _pass_to_officer(
    session: Session,
    settings: Settings,
    person: Person,
    now: datetime,
    message_id: int | None,
) -> None:
    """The message itself is already on the timeline (stored inbound); the officer is told
    through the queue (a medium escalation pointing at it), and the window closes after
    this one message."""
    assert person.id is not None
    person.officer_reply_until = None
    open_escalation(
        session,
        settings,
        person_id=person.id,
        reason="message_for_officer",
        severity="medium",
        detail="the person answered the officer's message",
        now=now,
        message_id=message_id,
    )


def queue_reply(
    session: Session,
    rendered,  # flows.render.RenderedReply
    target: Target,
    identity: ChannelIdentity | None,
    person: Person | None,
    language: str,
    now: datetime,
    kind: str,
) -> Message:
    message = new_message(
        direction=Direction.outbound,
        channel=target.channel,
        address=target.address,
        person_id=person.id if person else None,
        identity_id=identity.id if identity else None,
        kind=kind,
        body=rendered.text,
        choices=[{"id": cid, "label": label} for cid, label in rendered.choices] or None,
        language=language,
        status=MessageStatus.queued,
        next_attempt_at=now,
        created_at=now,
    )
    staged_messages.add(session, message)
    return message


def _redeem_invite(
    session: Session, code: str, target: Target, now: datetime
) -> tuple[Person | None, ChannelIdentity | None]:
    invite = session.exec(select(Invite).where(Invite.code == code).with_for_update()).first()
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        # The flow saw a valid code; a concurrent redemption used it first.
        log.info("invite no longer valid at redemption")
        return None, target.identity
    person = session.get(Person, invite.person_id)
    if person is None or person.id is None:
        return None, target.identity
    invite.used_at = now
    identity = target.identity or ChannelIdentity(
        person_id=person.id, channel=target.channel, address=target.address, created_at=now
    )
    identity.person_id = person.id
    identity.last_seen_at = now
    session.add_all([invite, identity])
    session.flush()
    target.identity = identity
    audit.record(
        session,
        action="invite.redeem",
        entity_type="invite",
        entity_id=invite.id,
        person_id=person.id,
        actor_kind="person",
        detail={"channel": target.channel},
    )
    return person, identity


def _misunderstood(session: Session, person: Person) -> int:
    assert person.id is not None
    row = state_row(session, person.id)
    return row.misunderstood_in_row if row else 0


def _activate(person: Person, now: datetime) -> None:
    if person.status in (PersonStatus.invited, PersonStatus.paused):
        person.status = PersonStatus.active
    if person.next_checkin_at is None:
        person.next_checkin_at = next_checkin_after(person, now)


def _record_checkin_answer(
    session: Session, person: Person, answer: RecordCheckInAnswer, now: datetime
) -> None:
    # The latest check-in that was sent; an answer that comes after the window closed
    # (already counted missed) is still kept.
    checkin = session.exec(
        select(CheckIn)
        .where(
            CheckIn.person_id == person.id,
            col(CheckIn.status).in_(
                [CheckInStatus.sent, CheckInStatus.answered, CheckInStatus.missed]
            ),
        )
        .order_by(col(CheckIn.sent_at).desc())
    ).first()
    if checkin is None:
        log.info("check-in answer without a check-in", extra={"person_id": person.id})
        return
    if answer.mood is not None:
        checkin.mood = answer.mood
    if answer.need is not None:
        checkin.need = answer.need
    if answer.note is not None:
        # Words kept along the way and the final note both reach the officer.
        joined = f"{checkin.note}\n{answer.note}" if checkin.note else answer.note
        checkin.note = joined[:4000]
    # Any answer counts: the person is there, even if they stop after the first question.
    checkin.answered_at = checkin.answered_at or now
    checkin.status = CheckInStatus.answered
    person.missed_checkins_in_row = 0
    session.add(checkin)
