"""The escalations API: the officer's queue, and acknowledge / resolve / reopen.

Scope follows the persons API: an officer sees their caseload's escalations, a
supervisor their team's, an admin all; NGO accounts none (403). Anything out of scope
answers 404 like a missing one. Every read and change is audited in its transaction.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlmodel import Session

from admin.access import CASEWORKERS, CurrentUser, allow
from admin.escalations.schemas import EscalationPublic, EscalationsPage, ResolveBody
from admin.lookup import service_errors
from admin.validation import SafeTerm
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.core.settings import Settings
from bot.models import User
from bot.models.enums import EscalationStatus, Severity
from bot.services import escalations as service
from bot.services.persons import MAX_ID

router = APIRouter(prefix="/escalations", tags=["escalations"])

NOT_FOUND = "Escalation not found."


def _or_404(
    session: Session, user: User, escalation_id: int, *, for_update: bool = False
) -> service.QueueItem:
    item = service.get_for(session, user, escalation_id, for_update=for_update)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return item


@router.get("", response_model=EscalationsPage, **allow(*CASEWORKERS))
def list_escalations(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[
        str | None, Query(max_length=200, description="the `next_after` of the previous page")
    ] = None,
    status_filter: Annotated[EscalationStatus | None, Query(alias="status")] = None,
    severity: Severity | None = None,
    reason: Annotated[SafeTerm | None, Query(max_length=40)] = None,
    person_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> EscalationsPage:
    """Open first, then by severity (critical first), then by deadline."""
    with service_errors(where="query"):
        page = service.list_queue(
            session,
            user,
            filters=service.Filters(
                status=status_filter, severity=severity, reason=reason, person_id=person_id
            ),
            limit=limit,
            after=after,
        )
    service.record_list(session, user, page)
    session.commit()
    now = utcnow()
    return EscalationsPage(
        items=[EscalationPublic.from_item(item, now) for item in page.items],
        next_after=page.next_after,
    )


@router.get("/{escalation_id}", response_model=EscalationPublic, **allow(*CASEWORKERS))
def read_escalation(escalation_id: int, user: CurrentUser, session: SessionDep) -> EscalationPublic:
    item = _or_404(session, user, escalation_id)
    service.record_event(session, user, "escalation.read", item)
    session.commit()
    return EscalationPublic.from_item(item, utcnow())


def _move(
    session: Session,
    settings: Settings,
    user: User,
    escalation_id: int,
    action: str,
    body: ResolveBody | None = None,
) -> EscalationPublic:
    item = _or_404(session, user, escalation_id, for_update=True)
    now = utcnow()
    with service_errors():
        service.move(
            session,
            settings,
            item,
            action,
            actor=user,
            now=now,
            outcome=body.outcome if body else None,
            note=body.note if body else None,
        )
    session.commit()
    return EscalationPublic.from_item(item, now)


@router.post("/{escalation_id}/acknowledge", response_model=EscalationPublic, **allow(*CASEWORKERS))
def acknowledge(
    escalation_id: int, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> EscalationPublic:
    """open or overdue → acknowledged: someone is on it."""
    return _move(session, settings, user, escalation_id, "acknowledge")


@router.post("/{escalation_id}/resolve", response_model=EscalationPublic, **allow(*CASEWORKERS))
def resolve(
    escalation_id: int,
    body: ResolveBody,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> EscalationPublic:
    """open, overdue or acknowledged → resolved, with an outcome and an optional note."""
    return _move(session, settings, user, escalation_id, "resolve", body)


@router.post("/{escalation_id}/reopen", response_model=EscalationPublic, **allow(*CASEWORKERS))
def reopen(
    escalation_id: int, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> EscalationPublic:
    """resolved → open, with a fresh deadline."""
    return _move(session, settings, user, escalation_id, "reopen")
