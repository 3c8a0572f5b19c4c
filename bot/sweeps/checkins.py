"""Check-in sweeps: create due cadence check-ins, send due check-ins, mark missed ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import flows
from bot.cadence import next_checkin_after
from bot.conversation import as_language, load_state, person_snapshot, save_state
from bot.db import session_scope
from bot.effects import Target, apply_flow_result
from bot.escalations import open_escalation
from bot.models import ChannelIdentity, CheckIn, ConversationState, Person
from bot.models.enums import CheckInStatus, PersonStatus
from bot.sweeps.claim import lock_batch
from flows.types import FlowContext, FlowState, UserInput

log = logging.getLogger(__name__)

# A check-in that could not be processed is retried this much later, not in a tight loop.
RETRY_DELAY = timedelta(minutes=5)


@dataclass
class SweepSummary:
    name: str
    processed: int = 0
    skipped: int = 0
    errors: int = 0

    def as_log(self) -> dict[str, object]:
        return {
            "sweep": self.name,
            "processed": self.processed,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def schedule_cadence_checkins(engine: Engine, now: datetime, batch: int = 500) -> SweepSummary:
    """Turn `person.next_checkin_at` into a CheckIn row and move it one interval on."""
    summary = SweepSummary("cadence")
    while True:
        with session_scope(engine) as session:
            people = lock_batch(
                session,
                select(Person)
                .where(
                    Person.status == PersonStatus.active,
                    col(Person.next_checkin_at) <= now,
                )
                .order_by(col(Person.next_checkin_at))
                .limit(batch),
            )
            for person in people:
                if person.consent_given:
                    session.add(CheckIn(person_id=person.id, due_at=now, created_at=now))
                    summary.processed += 1
                else:
                    summary.skipped += 1
                person.next_checkin_at = next_checkin_after(person, now)
                session.add(person)
        if len(people) < batch:
            return summary


def send_due_checkins(
    engine: Engine, now: datetime, *, reply_window: timedelta, batch: int = 500
) -> SweepSummary:
    """Queue the first check-in question for every scheduled check-in that is due."""
    summary = SweepSummary("due_checkins")
    while True:
        with session_scope(engine) as session:
            due = lock_batch(
                session,
                select(CheckIn)
                .where(CheckIn.status == CheckInStatus.scheduled, col(CheckIn.due_at) <= now)
                .order_by(col(CheckIn.due_at))
                .limit(batch),
            )
            _preload(session, {checkin.person_id for checkin in due})
            for checkin in due:
                try:
                    with session.begin_nested():
                        sent = _send_checkin(session, checkin, now, reply_window)
                    summary.processed += int(sent)
                    summary.skipped += int(not sent)
                except Exception:
                    log.exception("check-in could not be sent", extra={"checkin_id": checkin.id})
                    summary.errors += 1
                    checkin.due_at = now + RETRY_DELAY
                    session.add(checkin)
        if len(due) < batch:
            return summary


def _preload(session: Session, person_ids: set[int]) -> None:
    """Load a batch's people and conversation states in two queries; the per-row
    `session.get` calls then find them in the identity map instead of asking one by one."""
    if person_ids:
        session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()
        session.exec(
            select(ConversationState).where(col(ConversationState.person_id).in_(person_ids))
        ).all()


def _send_checkin(
    session: Session, checkin: CheckIn, now: datetime, reply_window: timedelta
) -> bool:
    person = session.get(Person, checkin.person_id)
    if person is None or person.status != PersonStatus.active or not person.consent_given:
        checkin.status = CheckInStatus.cancelled
        session.add(checkin)
        return False
    identity = preferred_identity(session, person)
    if identity is None:
        checkin.status = CheckInStatus.cancelled
        session.add(checkin)
        assert person.id is not None
        open_escalation(
            session,
            person_id=person.id,
            reason="unreachable",
            severity="low",
            detail="no channel to send a check-in to",
            now=now,
            dedupe_open=True,
        )
        return False
    # A newer check-in replaces one still waiting for its answer.
    for older in session.exec(
        select(CheckIn).where(
            CheckIn.person_id == person.id,
            CheckIn.status == CheckInStatus.sent,
            CheckIn.id != checkin.id,
        )
    ).all():
        older.status = CheckInStatus.cancelled
        session.add(older)
    ctx = FlowContext(
        person=person_snapshot(person),
        state=load_state(session, person.id),  # type: ignore[arg-type]
        input=UserInput(),
        now=now,
        language=as_language(person.language),
    )
    apply_flow_result(
        session,
        flows.start_checkin(ctx),
        person=person,
        target=Target(identity.channel, identity.address, identity),
        now=now,
        fallback_language=ctx.language,
        kind="checkin",
    )
    checkin.status = CheckInStatus.sent
    checkin.sent_at = now
    checkin.reply_deadline = now + reply_window
    session.add(checkin)
    return True


def preferred_identity(session: Session, person: Person) -> ChannelIdentity | None:
    """The channel the person last wrote from, among those that still reach them."""
    return session.exec(
        select(ChannelIdentity)
        .where(
            ChannelIdentity.person_id == person.id,
            col(ChannelIdentity.blocked).is_(False),
            col(ChannelIdentity.opted_out).is_(False),
        )
        .order_by(col(ChannelIdentity.last_seen_at).desc(), col(ChannelIdentity.id).desc())
    ).first()


def mark_missed_checkins(
    engine: Engine, now: datetime, *, escalate_after: int, batch: int = 500
) -> SweepSummary:
    """Check-ins unanswered past their window count as missed; a run of them escalates."""
    summary = SweepSummary("missed_checkins")
    while True:
        with session_scope(engine) as session:
            overdue = lock_batch(
                session,
                select(CheckIn)
                .where(CheckIn.status == CheckInStatus.sent, col(CheckIn.reply_deadline) <= now)
                .order_by(col(CheckIn.reply_deadline))
                .limit(batch),
            )
            _preload(session, {checkin.person_id for checkin in overdue})
            for checkin in overdue:
                try:
                    with session.begin_nested():
                        _mark_missed(session, checkin, now, escalate_after)
                    summary.processed += 1
                except Exception:
                    log.exception("missed check-in failed", extra={"checkin_id": checkin.id})
                    summary.errors += 1
        if len(overdue) < batch:
            return summary


def _mark_missed(session: Session, checkin: CheckIn, now: datetime, escalate_after: int) -> None:
    checkin.status = CheckInStatus.missed
    session.add(checkin)
    person = session.get(Person, checkin.person_id)
    if person is None:
        return
    person.missed_checkins_in_row += 1
    session.add(person)
    state = session.get(ConversationState, person.id)
    if state is not None and state.flow == "checkin":
        # A late "3" must not be read as an answer to a question that has closed.
        save_state(session, person.id, FlowState())  # type: ignore[arg-type]
    if person.missed_checkins_in_row == escalate_after:
        open_escalation(
            session,
            person_id=person.id,  # type: ignore[arg-type]
            reason="missed_checkins",
            severity="medium",
            detail=f"{person.missed_checkins_in_row} check-ins in a row without an answer",
            now=now,
        )
