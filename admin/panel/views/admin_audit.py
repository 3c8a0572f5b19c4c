"""The audit trail in the panel, for admins: filters, newest first, a page at a time.
Reading it is itself audited, as through the API."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from admin.panel.i18n import zone
from admin.panel.query import optional_id
from admin.panel.rendering import render
from admin.panel.security import PanelError, PanelUser
from admin.panel.views.admin_accounts import admin_only
from bot.core import audit
from bot.core.deps import SessionDep, SettingsDep
from bot.models import User
from bot.services.audit_log import AuditFilter, audit_page
from bot.services.persons import MAX_ID

router = APIRouter(prefix="/admin")

PAGE = 100
Text = Annotated[str, Query(max_length=60)]


def _day(value: str, user: User, *, end: bool = False) -> datetime | None:
    """A date field, as the start (or the end) of that day in the admin's time zone."""
    if not value.strip():
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise PanelError(422, "bad_filter") from None
    start = datetime.combine(day, time.min, zone(user.timezone))
    return start + timedelta(days=1) if end else start


@router.get("/audit")
def audit_trail(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    actor: Text = "",
    person: Text = "",
    action: Text = "",
    since: Text = "",
    until: Text = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    admin_only(user)
    clean_action = action.strip()
    if clean_action and not clean_action.isprintable():
        raise PanelError(422, "bad_filter")
    where = AuditFilter(
        actor_user_id=optional_id(actor),
        person_id=optional_id(person),
        action=clean_action or None,
        since=_day(since, user),
        until=_day(until, user, end=True),
    )
    page = audit_page(session, where, before=before, limit=PAGE)
    audit.record(
        session,
        action="audit.list",
        entity_type="audit_event",
        actor_user_id=user.id,
        detail={**where.as_detail(), "items": len(page.items)},
    )
    session.commit()
    return render(
        request,
        settings,
        "admin_audit.html",
        {
            "events": page.items,
            "next_before": page.next_before,
            "filters": {
                "actor": actor.strip(),
                "person": person.strip(),
                "action": clean_action,
                "since": since.strip(),
                "until": until.strip(),
            },
        },
        user=user,
        active="admin",
    )
