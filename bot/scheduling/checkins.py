"""Check-in sweeps: turn cadences into check-ins, send the due ones (never in quiet
hours), nudge once, then count the unanswered ones as missed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import flows
from bot.core.settings import Settings
from bot.delivery.reachability import preload_preferred_identities
from bot.models import CheckIn, ConversationState, Person
from bot.models.enums import CheckInStatus, PersonStatus
from bot.pipeline.conversation import known_states, save_state, state_row
from bot.pipeline.conversation_hold import held_until
from bot.pipeline.escalations import open_escalation
from bot.pipeline.outreach import start_conversation
from bot.scheduling.cadence import next_checkin_after
from bot.scheduling.local_time import end_of_quiet_hours
from bot.scheduling.sweep import SweepSummary, sweep_in_batches
from flows.types import FlowState

log = logging.getLogger(__name__)

# session.info keys of a sweep batch's preloaded rows.
PEOPLE = "sweep_people"
AWAITING_ANSWER = "awaiting_answer"

# A check-in that could not be processed is retried this much later, not in a tight loop.
RETRY_DELAY = timedelta(minutes=5)


def schedule_cadence_checkins(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    """Turn `person.next_checkin_at` into a CheckIn row and move it one interval on."""

    def query():  # type: ignore[no-untyped-def]
        return (
            select(Person)
            .where(Person.status == PersonStatus.active, col(Person.next_checkin_at) <= now)
            .order_by(col(Person.next_checkin_at))
        )

    def handle(session: Session, person: Person) -> bool:
        person.next_checkin_at = next_checkin_after(person, now)
        session.add(person)
        if not person.consent_given:
            return False
        assert person.id is not None
        session.add(CheckIn(person_id=person.id, due_at=now, created_at=now))
        return True

    return sweep_in_batches(
        engine,
        SweepSummary("cadence"),
        query,
        handle,
        batch=settings.sweep_batch_size,
        isolate_rows=False,
    )


def send_due_checkins(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    """Queue the first check-in question for every scheduled check-in that is due."""
    window = timedelta(seconds=settings.checkin_reply_window_seconds)

    def query():  # type: ignore[no-untyped-def]
        return (
            select(CheckIn)
            .where(CheckIn.status == CheckInStatus.scheduled, col(CheckIn.due_at) <= now)
            .order_by(col(CheckIn.due_at))
        )

    def handle(session: Session, checkin: CheckIn) -> bool:
        person = session.get(Person, checkin.person_id)
        if person is None or person.status != PersonStatus.active or not person.consent_given:
            checkin.status = CheckInStatus.cancelled
            session.add(checkin)
            return False
        morning = end_of_quiet_hours(
            now, person.timezone, settings.quiet_hours_start, settings.quiet_hours_end
        )
        if morning > now:
            checkin.due_at = morning  # waits for the morning, in the person's time zone
            session.add(checkin)
            return False
        wait = held_until(session, person.id, now, settings, own_flow="checkin")  # type: ignore[arg-type]
        if wait is not None:
            checkin.due_at = wait  # another question is being answered: after it
            session.add(checkin)
            return False
        # A newer check-in replaces one still waiting for its answer.
        waiting: set[int] = session.info[AWAITING_ANSWER]
        if person.id in waiting:
            for older in session.exec(
                select(CheckIn).where(
                    CheckIn.person_id == person.id,
                    CheckIn.status == CheckInStatus.sent,
                    CheckIn.id != checkin.id,
                )
            ).all():
                older.status = CheckInStatus.cancelled
                session.add(older)
        if not start_conversation(
            session, settings, person, flows.start_checkin, now=now, kind="checkin"
        ):
            checkin.status = CheckInStatus.cancelled
            session.add(checkin)
            return False
        checkin.status = CheckInStatus.sent
        waiting.add(person.id)  # type: ignore[arg-type]
        checkin.sent_at = now
        checkin.reply_deadline = now + window
        checkin.nudge_at = end_of_quiet_hours(
            now + window / 2, person.timezone, settings.quiet_hours_start, settings.quiet_hours_end
        )
        session.add(checkin)
        return True

    def retry_later(session: Session, checkin: CheckIn) -> None:
        checkin.due_at = now + RETRY_DELAY
        session.add(checkin)

    return sweep_in_batches(
        engine,
        SweepSummary("due_checkins"),
        query,
        handle,
        batch=settings.sweep_batch_size,
        preload=_preload_for_sending,
        on_error=retry_later,
    )


def send_checkin_nudges(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    """One reminder, halfway through the window, before a check-in counts as missed."""

    def query():  # type: ignore[no-untyped-def]
        return (
            select(CheckIn)
            .where(CheckIn.status == CheckInStatus.sent, col(CheckIn.nudge_at) <= now)
            .order_by(col(CheckIn.nudge_at))
        )

    def handle(session: Session, checkin: CheckIn) -> bool:
        checkin.nudge_at = None
        session.add(checkin)
        person = session.get(Person, checkin.person_id)
        if person is None or person.status != PersonStatus.active:
            return False
        if not start_conversation(
            session, settings, person, flows.start_checkin_nudge, now=now, kind="nudge"
        ):
            return False
        checkin.nudged_at = now
        return True

    return sweep_in_batches(
        engine,
        SweepSummary("checkin_nudges"),
        query,
        handle,
        batch=settings.sweep_batch_size,
        preload=_preload_for_nudging,
    )


def mark_missed_checkins(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    """Check-ins unanswered past their window count as missed; a run of them escalates."""
    escalate_after = settings.missed_checkins_before_escalation

    def query():  # type: ignore[no-untyped-def]
        return (
            select(CheckIn)
            .where(CheckIn.status == CheckInStatus.sent, col(CheckIn.reply_deadline) <= now)
            .order_by(col(CheckIn.reply_deadline))
        )

    def handle(session: Session, checkin: CheckIn) -> bool:
        checkin.status = CheckInStatus.missed
        checkin.nudge_at = None
        session.add(checkin)
        person = session.get(Person, checkin.person_id)
        if person is None:
            return True
        person.missed_checkins_in_row += 1
        session.add(person)
        state = state_row(session, person.id)  # type: ignore[arg-type]
        if state is not None and state.flow == "checkin":
            # A late "3" must not be read as an answer to a question that has closed.
            save_state(session, person.id, FlowState())  # type: ignore[arg-type]
        if person.missed_checkins_in_row == escalate_after:
            open_escalation(
                session,
                settings,
                person_id=person.id,  # type: ignore[arg-type]
                reason="missed_checkins",
                severity="medium",
                detail=f"{person.missed_checkins_in_row} check-ins in a row without an answer",
                now=now,
            )
        return True

    return sweep_in_batches(
        engine,
        SweepSummary("missed_checkins"),
        query,
        handle,
        batch=settings.sweep_batch_size,
        preload=_preload,
    )


def _preload(session: Session, checkins: list[CheckIn]) -> None:
    """Load a batch's people and conversation rows in two queries. The session holds
    unchanged rows only weakly, so the people are kept in `session.info` for the batch;
    `session.get(Person)` and `state_row` then find them without asking one by one (a
    person without a conversation row is known to have none)."""
    person_ids = {checkin.person_id for checkin in checkins}
    session.info[PEOPLE] = session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()
    states = known_states(session)
    states.update(dict.fromkeys(person_ids))
    for row in session.exec(
        select(ConversationState).where(col(ConversationState.person_id).in_(person_ids))
    ).all():
        states[row.person_id] = row


def _preload_for_nudging(session: Session, checkins: list[CheckIn]) -> None:
    """`_preload`, plus each person's preferred channel."""
    _preload(session, checkins)
    preload_preferred_identities(session, {checkin.person_id for checkin in checkins})


def _preload_for_sending(session: Session, checkins: list[CheckIn]) -> None:
    """`_preload_for_nudging`, plus who has a check-in still waiting for its answer (only
    they need the query that cancels it)."""
    _preload_for_nudging(session, checkins)
    person_ids = {checkin.person_id for checkin in checkins}
    session.info[AWAITING_ANSWER] = set(
        session.exec(
            select(CheckIn.person_id)
            .where(
                col(CheckIn.person_id).in_(person_ids),
                # `|| ''` keeps the status indexes out of it: SQLite, without statistics,
                # would walk every check-in waiting for an answer (a growing number as
                # the sweep goes on) instead of the batch's people's own.
                col(CheckIn.status).concat("") == CheckInStatus.sent,
            )
            .distinct()
        ).all()
    )
