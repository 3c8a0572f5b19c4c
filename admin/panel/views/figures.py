"""The programme's figures in the panel: the same summary as `GET /reports/summary` (small
numbers hidden the same way), drawn as SVG charts with their tables, and the CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from admin.panel.charts import bar_chart, shown
from admin.panel.rendering import render
from admin.panel.security import PanelError, PanelUser
from admin.reports.views import csv_response
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.models import User
from bot.models.enums import ReferralStatus, Role
from bot.services.reports.export import csv_text
from bot.services.reports.summary import ReportScope, read_summary

router = APIRouter()

SPANS = (4, 12, 26, 52)  # weeks
FUNNEL = [s.value for s in ReferralStatus]


def _summary(
    session: Session, user: User, weeks: int, region: str, form: str
) -> tuple[ReportScope, dict[str, Any]]:
    if user.role == Role.ngo:
        raise PanelError(404, "not_found")
    if weeks not in SPANS:
        raise PanelError(422, "bad_filter")
    end = utcnow()
    scope = ReportScope(
        start=end - timedelta(weeks=weeks), end=end, region=region.strip() or None, user=user
    )
    summary = read_summary(session, scope, form)
    session.commit()
    return scope, summary


Weeks = Annotated[int, Query(ge=1, le=104)]
RegionQuery = Annotated[str, Query(max_length=64)]


@router.get("/figures")
def figures(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    weeks: Weeks = 12,
    region: RegionQuery = "",
) -> Response:
    scope, summary = _summary(session, user, weeks, region, "panel")
    return render(
        request,
        settings,
        "figures.html",
        {
            "summary": summary,
            "charts": charts(summary),
            "shown": shown,
            "weeks": weeks,
            "spans": SPANS,
            "region": scope.region or "",
        },
        user=user,
        active="figures",
    )


@router.get("/figures.csv")
def figures_csv(
    user: PanelUser, session: SessionDep, weeks: Weeks = 12, region: RegionQuery = ""
) -> Response:
    _scope, summary = _summary(session, user, weeks, region, "csv")
    return csv_response(csv_text(summary))


def charts(summary: dict[str, Any]) -> dict[str, Any]:
    checkins = summary["checkins"]["by_week"]
    referrals = sorted(
        summary["referrals"]["by_kind_and_status"],
        key=lambda row: (row["kind"], FUNNEL.index(row["status"])),
    )
    escalations = summary["escalations"]["by_reason_and_severity"]
    acknowledged = summary["escalations"]["share_acknowledged_past_deadline"]
    late = acknowledged if isinstance(acknowledged, float) else None
    return {
        "response": bar_chart(
            [(row["week_of"], row["response_rate"]) for row in checkins], percent=True
        ),
        "funnel": bar_chart([((row["kind"], row["status"]), row["count"]) for row in referrals]),
        "reasons": bar_chart(
            [((row["reason"], row["severity"]), row["count"]) for row in escalations]
        ),
        "acknowledge": bar_chart(
            [
                ("in_time", None if late is None else round(1 - late, 3)),
                ("late", late if late is not None else acknowledged),
            ],
            percent=True,
        ),
    }
