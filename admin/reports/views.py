"""The programme's figures for administrators and supervisors (an officer gets their own
caseload's): `GET /reports/summary` and the same as CSV. Counts under 5 read "<5"."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from admin.access import CASEWORKERS, CaseworkerUser, allow
from admin.persons.schemas import Region
from admin.validation import AwareDatetime
from bot.core.clock import utcnow
from bot.core.deps import SessionDep
from bot.services.reports.export import csv_text
from bot.services.reports.summary import ReportScope, read_summary

router = APIRouter(prefix="/reports", tags=["reports"])

DEFAULT_SPAN = timedelta(weeks=12)
MAX_SPAN = timedelta(days=731)


def report_scope(
    user: CaseworkerUser,
    region: Annotated[Region | None, Query(description="one region; all when absent")] = None,
    start: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="from this time (default: 12 weeks ago)"),
    ] = None,
    end: Annotated[
        AwareDatetime | None, Query(alias="to", description="until this time (default: now)")
    ] = None,
) -> ReportScope:
    end = end or utcnow()
    start = start or end - DEFAULT_SPAN
    if start >= end:
        raise HTTPException(422, "'from' must be before 'to'.")
    if end - start > MAX_SPAN:
        raise HTTPException(422, "Ask for two years at most; split longer periods.")
    return ReportScope(start=start, end=end, region=region or None, user=user)


Scope = Annotated[ReportScope, Depends(report_scope)]


def _summary(
    session: SessionDep, scope: ReportScope, user: CaseworkerUser, form: str
) -> dict[str, Any]:
    summary = read_summary(session, scope, form)
    session.commit()
    return summary


@router.get("/summary", **allow(*CASEWORKERS))
def summary(scope: Scope, user: CaseworkerUser, session: SessionDep) -> dict[str, Any]:
    """People enrolled and active; check-in response rate by week and missed check-ins;
    escalations by reason and severity, median minutes to acknowledge and the share
    acknowledged late; referrals by kind and status, median days to acceptance and the
    completion rate; "was it helpful" ratings; appointment attendance."""
    return _summary(session, scope, user, "json")


@router.get("/summary.csv", **allow(*CASEWORKERS))
def summary_csv(scope: Scope, user: CaseworkerUser, session: SessionDep) -> Response:
    data = _summary(session, scope, user, "csv")
    return csv_response(csv_text(data))


def csv_response(text: str) -> Response:
    stamp = datetime.now().strftime("%Y%m%d")
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="jolserik-summary-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
