"""Appointment reminders: the day before and 2 hours before, to whoever is enrolled —
also to people who declined the service consent or paused, since reminders are the one
essential message (and the best-proven part of the product)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import flows
from bot.core.settings import Settings
from bot.models import Appointment, Person
from bot.models.enums import PersonStatus
from bot.pipeline.conversation_hold import held_until
from bot.pipeline.outreach import start_conversation
from bot.scheduling.local_time import format_local
from bot.scheduling.sweep import SweepSummary, sweep_in_batches
from bot.services.appointments import ACTIVE_STATUSES, hours_before, next_reminder
from flows.types import AppointmentInfo

REACHABLE_STATUSES = (PersonStatus.active, PersonStatus.paused)


def send_appointment_reminders(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    def query():  # type: ignore[no-untyped-def]
        return (
            select(Appointment)
            .where(col(Appointment.status).in_(ACTIVE_STATUSES), col(Appointment.remind_at) <= now)
            .order_by(col(Appointment.remind_at))
        )

    def handle(session: Session, appointment: Appointment) -> bool:
        person = session.get(Person, appointment.person_id)
        starts_at = appointment.starts_at
        if person is not None and starts_at > now:
            wait = held_until(session, person.id, now, settings, own_flow="appointment")  # type: ignore[arg-type]
            if wait is not None:
                # Another question is being answered: remind after it, before the start.
                appointment.remind_at = min(wait, starts_at)
                session.add(appointment)
                return False
        appointment.remind_at = (
            next_reminder(starts_at, person.timezone if person else None, settings, after=now)
            if starts_at > now
            else None
        )
        session.add(appointment)
        if person is None or person.status not in REACHABLE_STATUSES or starts_at <= now:
            return False
        info = AppointmentInfo(
            id=appointment.id,  # type: ignore[arg-type]
            kind=appointment.kind,
            place=appointment.place,
            starts_at_local=format_local(starts_at, person.timezone),
            hours_before=hours_before(starts_at, now),
        )
        sent = start_conversation(
            session,
            settings,
            person,
            lambda ctx: flows.start_appointment_reminder(ctx, info),
            now=now,
            kind="reminder",
        )
        if sent:
            appointment.reminders_sent += 1
        return sent

    return sweep_in_batches(
        engine,
        SweepSummary("appointment_reminders"),
        query,
        handle,
        batch=settings.sweep_batch_size,
    )
