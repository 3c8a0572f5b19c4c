"""Build the FlowContext a flow step reads: the person, their state, what partners offer
near them, and the deployment's hotlines. All reads; nothing here writes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.clock import as_utc
from bot.core.settings import Settings
from bot.models import (
    Appointment,
    CheckIn,
    Person,
)
from bot.models.enums import CheckInStatus
from bot.pipeline.conversation import as_language, load_state, person_snapshot, state_row
from bot.pipeline.directory import directory_for
from bot.pipeline.prefetch import take_appointments, take_last_mood
from bot.scheduling.local_time import format_local
from bot.services.appointments import ACTIVE_STATUSES as ACTIVE_APPOINTMENTS
from flows.types import (
    AppointmentInfo,
    Deployment,
    Directory,
    FlowContext,
    FlowState,
    Hotline,
    InviteCheck,
    Language,
    UserInput,
)


def deployment(settings: Settings) -> Deployment:
    return Deployment(
        hotlines=tuple(
            Hotline(f"hotline.{name}", number) for name, number in settings.hotline_pairs
        )
    )


def last_mood(session: Session, person_id: int) -> int | None:
    known, mood = take_last_mood(session, person_id)
    if known:
        return mood
    return session.exec(
        select(CheckIn.mood)
        .where(
            CheckIn.person_id == person_id,
            col(CheckIn.mood).is_not(None),
            CheckIn.status == CheckInStatus.answered,
        )
        .order_by(col(CheckIn.answered_at).desc())
        .limit(1)
    ).first()


def build_context(
    session: Session,
    settings: Settings,
    *,
    person: Person | None,
    user_input: UserInput,
    now: datetime,
    language: Language,
    invite: InviteCheck | None = None,
    state: FlowState | None = None,
    answering: bool = True,
) -> FlowContext:
    """`answering=False` when the bot starts a conversation (a check-in, a reminder): the
    first message needs neither the partner directory nor the mood history, which saves
    three queries per person in a sweep over thousands."""
    if person is None or person.id is None:
        return FlowContext(
            person=None,
            state=FlowState(),
            input=user_input,
            now=now,
            language=language,
            invite=invite,
            deployment=deployment(settings),
        )
    row = state_row(session, person.id)
    snapshot = person_snapshot(
        person,
        last_mood=last_mood(session, person.id) if answering else None,
        misunderstood_in_row=row.misunderstood_in_row if row else 0,
    )
    return FlowContext(
        person=snapshot,
        state=state if state is not None else load_state(session, person.id),
        input=user_input,
        now=now,
        language=as_language(person.language, language),
        invite=invite,
        directory=(
            directory_for(
                session,
                person.region,
                as_language(person.language, language),
                settings.directory_limit,
                now,
            )
            if answering
            else Directory()
        ),
        deployment=deployment(settings),
        officer_reply_open=answering and _reply_window_open(person, now),
        upcoming_appointments=upcoming_appointments(session, person, now) if answering else (),
    )


def _reply_window_open(person: Person, now: datetime) -> bool:
    until = as_utc(person.officer_reply_until)
    return until is not None and until > now


def upcoming_appointments(
    session: Session, person: Person, now: datetime, limit: int = 3
) -> tuple[AppointmentInfo, ...]:
    """The next appointments still on, soonest first, in the person's time zone."""
    assert person.id is not None
    rows = take_appointments(session, person.id)
    if rows is None:
        rows = list(
            session.exec(
                select(Appointment)
                .where(
                    Appointment.person_id == person.id,
                    col(Appointment.status).in_(ACTIVE_APPOINTMENTS),
                    col(Appointment.starts_at) > now,
                )
                .order_by(col(Appointment.starts_at))
                .limit(limit)
            ).all()
        )
    return tuple(
        AppointmentInfo(
            id=row.id,  # type: ignore[arg-type]
            kind=row.kind,
            place=row.place,
            starts_at_local=format_local(row.starts_at, person.timezone),
            hours_before=0,
        )
        for row in rows
    )
