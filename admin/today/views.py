"""`GET /api/v1/today`: what the officer should do first (bot/services/today.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from admin.access import CASEWORKERS, CaseworkerUser, allow
from bot.core.clock import as_utc, utcnow
from bot.core.deps import SessionDep
from bot.services.today import Section, read_today, record_read

router = APIRouter(tags=["today"])


class SectionPublic(BaseModel):
    total: int  # how many there are; `items` holds the first ones
    items: list[dict[str, Any]]


class TodayPublic(BaseModel):
    now: datetime
    escalations: SectionPublic
    missed_checkins: SectionPublic
    appointments: SectionPublic
    referrals_waiting: SectionPublic
    not_heard_from: SectionPublic


def _public(section: Section) -> SectionPublic:
    items = [
        {key: as_utc(value) if isinstance(value, datetime) else value for key, value in row.items()}
        for row in section.items
    ]
    return SectionPublic(total=section.total, items=items)


@router.get("/today", response_model=TodayPublic, **allow(*CASEWORKERS))
def today(user: CaseworkerUser, session: SessionDep) -> TodayPublic:
    """Open escalations by severity with time left, people who missed their last check-in,
    appointments today and tomorrow (the officer's time zone), referrals waiting on a
    partner for more than 3 days, people not heard from in 14 days."""
    now = utcnow()
    sections = read_today(session, user, now)
    record_read(session, user, sections)
    session.commit()
    return TodayPublic(now=now, **{name: _public(s) for name, s in vars(sections).items()})
