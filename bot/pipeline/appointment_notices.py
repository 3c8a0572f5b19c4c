"""Tell the person at once when an officer books, moves or cancels an appointment, in the
same transaction as the change (the outbox sends it after commit)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session

import flows
from bot.core.settings import Settings
from bot.models import Appointment, Person
from bot.models.enums import PersonStatus
from bot.pipeline.outreach import start_conversation
from bot.scheduling.local_time import format_local
from flows.types import AppointmentInfo

Change = Literal["booked", "moved", "cancelled"]
# The same people appointment reminders reach: a paused person still hears of meetings.
_TOLD = (PersonStatus.active, PersonStatus.paused)


def tell_person(
    session: Session,
    settings: Settings,
    person: Person,
    appointment: Appointment,
    change: Change,
    *,
    now: datetime,
) -> bool:
    """Queue the notice; False when the person is not told (not enrolled, or unreachable:
    then the officer sees an "unreachable" escalation, as for reminders)."""
    if person.status not in _TOLD or not person.consent_given or person.erased_at is not None:
        return False
    info = AppointmentInfo(
        id=appointment.id,  # type: ignore[arg-type]
        kind=appointment.kind,
        place=appointment.place,
        starts_at_local=format_local(appointment.starts_at, person.timezone),
        hours_before=0,
    )
    return start_conversation(
        session,
        settings,
        person,
        lambda ctx: flows.start_appointment_notice(ctx, info, change),
        now=now,
        kind="appointment",
    )
