"""The escalation queue in the panel: filters, and acknowledge or resolve in place (htmx
swaps the row; without JavaScript the form posts and the page comes back)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from admin.panel.query import optional_choice
from admin.panel.rendering import render
from admin.panel.security import CsrfChecked, PanelError, PanelUser, caseworker
from admin.validation import SafeText
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.models import User
from bot.models.enums import EscalationOutcome, EscalationStatus, Severity
from bot.services import Conflict, InvalidInput
from bot.services import escalations as service

router = APIRouter()

OUTCOMES = [o.value for o in EscalationOutcome]


@router.get("/escalations")
def queue(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    status: Annotated[str, Query(max_length=20)] = "",
    severity: Annotated[str, Query(max_length=20)] = "",
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    caseworker(user)
    chosen_status = optional_choice(status, EscalationStatus)
    chosen_severity = optional_choice(severity, Severity)
    try:
        page = service.list_queue(
            session,
            user,
            filters=service.Filters(status=chosen_status, severity=chosen_severity),
            limit=50,
            after=after,
        )
    except InvalidInput:
        raise PanelError(404, "not_found") from None  # a cursor that is not ours
    service.record_list(session, user, page)
    session.commit()
    return render(
        request,
        settings,
        "escalations.html",
        {
            "items": page.items,
            "next_after": page.next_after,
            "now": utcnow(),
            "status": chosen_status.value if chosen_status else "",
            "severity": chosen_severity.value if chosen_severity else "",
            "statuses": [s.value for s in EscalationStatus],
            "severities": [s.value for s in Severity],
            "outcomes": OUTCOMES,
        },
        user=user,
        active="escalations",
    )


@router.get("/escalations/{escalation_id}")
def one(
    escalation_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    caseworker(user)
    item = service.get_for(session, user, escalation_id)
    if item is None:
        raise PanelError(404, "not_found")
    service.record_event(session, user, "escalation.read", item)
    session.commit()
    return render(
        request,
        settings,
        "escalation.html",
        {"item": item, "now": utcnow(), "outcomes": OUTCOMES},
        user=user,
        active="escalations",
    )


def _moved(
    request: Request,
    user: User,
    session: SessionDep,
    settings: SettingsDep,
    escalation_id: int,
    action: str,
    outcome: EscalationOutcome | None = None,
    note: str | None = None,
) -> Response:
    caseworker(user)
    item = service.get_for(session, user, escalation_id, for_update=True)
    if item is None:
        raise PanelError(404, "not_found")
    now = utcnow()
    try:
        service.move(
            session, settings, item, action, actor=user, now=now, outcome=outcome, note=note
        )
    except Conflict:
        session.rollback()
        raise PanelError(409, "changed") from None
    session.commit()
    if request.headers.get("HX-Request") == "true":
        return render(
            request,
            settings,
            "_escalation_row.html",
            {"item": item, "now": now, "outcomes": OUTCOMES},
            user=user,
        )
    back = request.headers.get("referer", "")
    target = back if back.startswith(str(request.base_url) + "panel/") else "/panel/escalations"
    return RedirectResponse(target, status_code=303)


@router.post("/escalations/{escalation_id}/acknowledge", dependencies=[CsrfChecked])
def acknowledge(
    escalation_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    return _moved(request, user, session, settings, escalation_id, "acknowledge")


@router.post("/escalations/{escalation_id}/resolve", dependencies=[CsrfChecked])
def resolve(
    escalation_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    outcome: Annotated[EscalationOutcome, Form()],
    note: Annotated[SafeText | None, Form()] = None,
) -> Response:
    return _moved(request, user, session, settings, escalation_id, "resolve", outcome, note or None)
