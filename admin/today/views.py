"""GET /today: the officer's first screen (open escalations, missed check-ins, meetings
today and tomorrow, referrals stuck with a partner, people gone quiet)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from sqlmodel import SQLModel

from admin.access import CaseworkerUser, allow
from admin.persons.schemas import UtcDatetime
from bot.core import audit
from bot.core.clock import as_utc
from bot.core.deps import SessionDep
from bot.models import Escalation, Person
from bot.models.enums import Role
from bot.services.today import Section, read_today

router = APIRouter(tags=["today"])


class PersonRef(SQLModel):
    person_id: int
    display_name: str


class EscalationItem(PersonRef):
    id: int
    reason: str
    severity: str
    status: str
    ack_deadline: UtcDatetime | None
    seconds_left: int | None  # negative when overdue


class MissedItem(PersonRef):
    missed_checkins_in_row: int
    next_checkin_at: UtcDatetime | None


class AppointmentItem(PersonRef):
    id: int
    starts_at: UtcDatetime
    kind: str
    place: str
    status: str


class ReferralItem(PersonRef):
    id: int
    organisation_id: int
    kind: str
    created_at: UtcDatetime


class SilentItem(PersonRef):
    last_inbound_at: UtcDatetime | None


class EscalationSection(SQLModel):
    items: list[EscalationItem]
    total: int


class MissedSection(SQLModel):
    items: list[MissedItem]
    total: int


class AppointmentSection(SQLModel):
    items: list[AppointmentItem]
    total: int


class ReferralSection(SQLModel):
    items: list[ReferralItem]
    total: int


class SilentSection(SQLModel):
    items: list[SilentItem]
    total: int


class TodayPublic(SQLModel):
    now: UtcDatetime
    escalations: EscalationSection
    missed_checkins: MissedSection
    appointments: AppointmentSection
    waiting_referrals: ReferralSection
    not_heard_from: SilentSection


def _ref(person: Person) -> dict[str, object]:
    return {"person_id": person.id, "display_name": person.display_name}


def _escalation(row: Escalation, person: Person, now: datetime) -> EscalationItem:
    deadline = as_utc(row.ack_deadline)
    return EscalationItem(
        **_ref(person),  # type: ignore[arg-type]
        id=row.id,  # type: ignore[arg-type]
        reason=row.reason,
        severity=row.severity,
        status=row.status,
        ack_deadline=deadline,
        seconds_left=int((deadline - now).total_seconds()) if deadline else None,
    )


def _people(section: Section) -> set[int]:
    return {row[-1].id for row in section.rows}


@router.get(
    "/today", response_model=TodayPublic, **allow(Role.admin, Role.supervisor, Role.officer)
)
def today(user: CaseworkerUser, session: SessionDep) -> TodayPublic:
    data = read_today(session, user)
    now = data.now
    result = TodayPublic(
        now=now,
        escalations=EscalationSection(
            items=[_escalation(e, p, now) for e, p in data.escalations.rows],
            total=data.escalations.total,
        ),
        missed_checkins=MissedSection(
            items=[
                MissedItem(
                    **_ref(p),  # type: ignore[arg-type]
                    missed_checkins_in_row=p.missed_checkins_in_row,
                    next_checkin_at=p.next_checkin_at,
                )
                for (p,) in data.missed_checkins.rows
            ],
            total=data.missed_checkins.total,
        ),
        appointments=AppointmentSection(
            items=[
                AppointmentItem(
                    **_ref(p),  # type: ignore[arg-type]
                    id=a.id,  # type: ignore[arg-type]
                    starts_at=a.starts_at,
                    kind=a.kind,
                    place=a.place,
                    status=a.status,
                )
                for a, p in data.appointments.rows
            ],
            total=data.appointments.total,
        ),
        waiting_referrals=ReferralSection(
            items=[
                ReferralItem(
                    **_ref(p),  # type: ignore[arg-type]
                    id=r.id,  # type: ignore[arg-type]
                    organisation_id=r.organisation_id,
                    kind=r.kind,
                    created_at=r.created_at,
                )
                for r, p in data.waiting_referrals.rows
            ],
            total=data.waiting_referrals.total,
        ),
        not_heard_from=SilentSection(
            items=[
                SilentItem(**_ref(p), last_inbound_at=p.last_inbound_at)  # type: ignore[arg-type]
                for (p,) in data.not_heard_from.rows
            ],
            total=data.not_heard_from.total,
        ),
    )
    # A read of many people's data: one event naming how many were shown.
    shown = set().union(
        *(
            _people(s)
            for s in (
                data.escalations,
                data.missed_checkins,
                data.appointments,
                data.waiting_referrals,
                data.not_heard_from,
            )
        )
    )
    audit.record(
        session,
        action="today.read",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=user.id,
        detail={"persons": len(shown)},
    )
    session.commit()
    return result
