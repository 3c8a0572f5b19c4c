"""An inbound SMS: the channel's own law first, then the shared pipeline.

Opt-out is the law of the SMS channel, so it is applied before any flow:
- An opt-out keyword (STOP, СТОП, ТОҚТА...) marks the SMS identity opted out, tells the
  officer (a low "opted_out" escalation) and confirms once. Nothing else goes to that
  number until an opt-in keyword (START, СТАРТ, YES, ДА, ИӘ...): the dispatcher holds back
  anything queued for it (bot/outbox.py), and what the person writes meanwhile is kept for
  the officer but not answered (HELP excepted, which gets one short answer). Crisis words
  still open the critical escalation at once, and the safety message goes on another
  channel when one reaches the person.
- "One confirmation at most": Twilio's own opt-out handling (on by default for long codes,
  or Advanced Opt-Out, which names what it matched in `OptOutType`) already answers its
  keywords; for those we add nothing (TWILIO_HANDLES_OPT_OUT). A repeated STOP gets nothing.
- Unknown numbers go to the pipeline with a reply budget (bot/sms_strangers.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.channels.sms.keywords import Keyword, classify, twilio_acts_on
from bot.channels.sms.strangers import OPT_OUT_KIND, STRANGER_REPLIES_PER_DAY
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.delivery.fallback import KEYWORD_REPLY_KIND
from bot.delivery.reachability import preferred_identity
from bot.models import ChannelIdentity, Escalation, Person
from bot.models.enums import Channel, EscalationStatus
from bot.pipeline.conversation import as_language
from bot.pipeline.effects import Target, queue_reply
from bot.pipeline.escalations import open_escalation
from bot.pipeline.inbound import (
    InboundMessage,
    InboundOutcome,
    insert_inbound,
    process_inbound_in,
    shares_savepoint,
)
from bot.pipeline.outreach import start_conversation
from flows.crisis import detect, safety_reply
from flows.i18n import translate
from flows.render import RenderedReply
from flows.types import FlowContext, FlowResult

log = logging.getLogger(__name__)

OPT_IN_KIND = "opt_in"
OPTED_OUT_REASON = "opted_out"


def receive_sms(
    engine: Engine,
    inbound: InboundMessage,
    *,
    settings: Settings,
    opt_out_type: str | None = None,
    now: datetime | None = None,
) -> InboundOutcome:
    """`receive_sms_in` in a transaction of its own."""
    with session_scope(engine) as session:
        return receive_sms_in(
            session, inbound, settings=settings, opt_out_type=opt_out_type, now=now or utcnow()
        )


def receive_sms_in(
    session: Session,
    inbound: InboundMessage,
    *,
    settings: Settings,
    opt_out_type: str | None,
    now: datetime,
) -> InboundOutcome:
    """One inbound SMS inside the caller's transaction."""
    keyword = classify(inbound.text, opt_out_type) if inbound.kind == "text" else None
    twilio_replied = bool(opt_out_type) or (
        settings.twilio_handles_opt_out and twilio_acts_on(inbound.text)
    )
    if shares_savepoint(session):
        outcome = _channel_law(session, settings, inbound, keyword, twilio_replied, now)
    else:
        try:
            with session.begin_nested():
                outcome = _channel_law(session, settings, inbound, keyword, twilio_replied, now)
        except IntegrityError:
            log.info("duplicate inbound", extra={"channel": inbound.channel})
            return InboundOutcome(duplicate=True)
    if outcome is not None:
        return outcome
    return process_inbound_in(
        session,
        inbound,
        settings=settings,
        now=now,
        stranger_replies_per_day=STRANGER_REPLIES_PER_DAY,
    )


def _channel_law(
    session: Session,
    settings: Settings,
    inbound: InboundMessage,
    keyword: Keyword | None,
    twilio_replied: bool,
    now: datetime,
) -> InboundOutcome | None:
    """Handle what the opt-out law decides; None (having written nothing) for the rest."""
    identity = session.exec(
        select(ChannelIdentity)
        .where(ChannelIdentity.channel == Channel.sms, ChannelIdentity.address == inbound.address)
        .with_for_update()
    ).first()
    if identity is None:
        if keyword == "opt_out":
            # A stranger's STOP: kept, so the reply budget knows to stay silent for good.
            return _stored(session, inbound, None, now, kind=OPT_OUT_KIND)
        return None
    person = session.get(Person, identity.person_id)
    if person is None:
        return None
    if keyword == "opt_out":
        outcome = _stored(session, inbound, identity, now, kind=OPT_OUT_KIND)
        if identity.opted_out:
            return outcome  # already out: at most one confirmation
        mark_opted_out(session, settings, identity, person, now, source="keyword")
        return _confirm(session, outcome, identity, person, "sms.opted_out", twilio_replied, now)
    if not identity.opted_out:
        return None  # the flow reads it: YES answers a question, START opens the menu
    if keyword == "opt_in":
        outcome = _stored(session, inbound, identity, now, kind=OPT_IN_KIND)
        mark_opted_in(session, identity, person, now)
        return _confirm(session, outcome, identity, person, "sms.opted_in", twilio_replied, now)
    outcome = _stored(session, inbound, identity, now, kind=inbound.kind)
    if keyword == "help":
        return _confirm(
            session, outcome, identity, person, "sms.opted_out_help", twilio_replied, now
        )
    # Opted out: kept for the officer's timeline, not answered by SMS (the carrier blocks
    # it until START). Crisis words still reach the officer at once.
    category = detect(inbound.text) if inbound.kind == "text" else None
    if category is not None:
        _crisis_while_opted_out(session, settings, identity, person, category, outcome, now)
    return outcome


def _crisis_while_opted_out(
    session: Session,
    settings: Settings,
    identity: ChannelIdentity,
    person: Person,
    category: str,
    outcome: InboundOutcome,
    now: datetime,
) -> None:
    """A person who sent STOP writes crisis words: the critical escalation opens as it would
    anywhere, and the safety message goes on another channel that still reaches them; the
    escalation says when none does."""
    assert person.id is not None
    other = preferred_identity(session, person.id, exclude_identity_id=identity.id)
    where = f"safety message sent on {other.channel}" if other else "could not be answered"
    open_escalation(
        session,
        settings,
        person_id=person.id,
        reason="crisis",
        severity="critical",
        detail=f"{category}; opted out of SMS: {where}",
        now=now,
        message_id=outcome.message_id,
    )
    if other is not None:

        def safety(ctx: FlowContext) -> FlowResult:
            return FlowResult(replies=(safety_reply(ctx.deployment),), state=ctx.state)

        start_conversation(session, settings, person, safety, now=now, kind="reply")


def mark_opted_out(
    session: Session,
    settings: Settings,
    identity: ChannelIdentity,
    person: Person,
    now: datetime,
    *,
    source: str,
) -> None:
    identity.opted_out = True
    session.add(identity)
    assert person.id is not None
    open_escalation(
        session,
        settings,
        person_id=person.id,
        reason=OPTED_OUT_REASON,
        severity="low",
        detail="sms: the person asked for no more text messages (STOP)",
        now=now,
        dedupe_open=True,
    )
    audit.record(
        session,
        action="channel.opt_out",
        entity_type="channel_identity",
        entity_id=identity.id,
        person_id=person.id,
        actor_kind="person",
        detail={"channel": identity.channel, "source": source},
    )
    log.info("sms opt-out", extra={"person_id": person.id, "source": source})


def mark_opted_in(
    session: Session, identity: ChannelIdentity, person: Person, now: datetime
) -> None:
    identity.opted_out = False
    session.add(identity)
    # The officer's open "opted out" item is answered by the person themselves.
    for escalation in session.exec(
        select(Escalation).where(
            Escalation.person_id == person.id,
            Escalation.reason == OPTED_OUT_REASON,
            Escalation.status == EscalationStatus.open,
        )
    ).all():
        escalation.status = EscalationStatus.resolved
        escalation.resolved_at = now
        escalation.resolution_note = "The person opted back in to text messages (START)."
        session.add(escalation)
    audit.record(
        session,
        action="channel.opt_in",
        entity_type="channel_identity",
        entity_id=identity.id,
        person_id=person.id,
        actor_kind="person",
        detail={"channel": identity.channel},
    )
    log.info("sms opt-in", extra={"person_id": person.id})


def _stored(
    session: Session,
    inbound: InboundMessage,
    identity: ChannelIdentity | None,
    now: datetime,
    *,
    kind: str,
) -> InboundOutcome:
    message = insert_inbound(session, inbound, now, identity=identity, kind=kind)
    if identity is not None:
        identity.last_seen_at = now
        session.add(identity)
    return InboundOutcome(duplicate=False, message_id=message.id, replies=0)


def _confirm(
    session: Session,
    outcome: InboundOutcome,
    identity: ChannelIdentity,
    person: Person,
    key: str,
    twilio_replied: bool,
    now: datetime,
) -> InboundOutcome:
    if twilio_replied:
        return outcome  # Twilio has answered this keyword itself
    language = as_language(person.language)
    queue_reply(
        session,
        RenderedReply(text=translate(key, language), choices=()),
        Target(identity.channel, identity.address, identity),
        identity,
        person,
        language,
        now,
        KEYWORD_REPLY_KIND,
    )
    return InboundOutcome(duplicate=False, message_id=outcome.message_id, replies=1)
