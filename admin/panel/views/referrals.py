"""The referrals board. Partner staff (and admins) see referrals sent to partners, with
only the fields the person agreed to share, and move them through the lifecycle; officers
and supervisors see their caseload's referrals, each opening its case."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from admin.panel.query import optional_choice
from admin.panel.rendering import render
from admin.panel.security import CsrfChecked, PanelError, PanelUser
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import RuntimeDep, SessionDep, SettingsDep
from bot.core.settings import Settings
from bot.models import Person, User
from bot.models.enums import ReferralStatus, Role
from bot.services import Conflict, InvalidInput, NotAllowed
from bot.services import referral_board as board
from bot.services import referrals as referral_service
from bot.services.persons import MAX_ID
from bot.services.referral_lifecycle import history

router = APIRouter()

REASON_CHARS = 500


def _is_partner_view(user: User) -> bool:
    return user.role in (Role.ngo, Role.admin)


def _board(
    session: Session, user: User, only: ReferralStatus | None, after: int | None
) -> list[dict[str, Any]]:
    partner = _is_partner_view(user)
    columns: tuple[ReferralStatus, ...] = (
        board.PARTNER_COLUMNS if partner else board.CASELOAD_COLUMNS
    )
    if only is not None:
        if only not in columns:
            raise PanelError(422, "bad_filter")
        columns = (only,)
    limit = board.PER_COLUMN * (3 if only is not None else 1)
    shown = []
    for status in columns:
        start = after if only is not None else None
        column = board.partner_column if partner else board.caseload_column
        cards, more = column(session, user, status, after=start, limit=limit)
        shown.append({"status": status.value, "cards": cards, "more": more})
    return shown


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    user: User,
    *,
    only: ReferralStatus | None = None,
    after: int | None = None,
    problem: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        columns = _board(session, user, only, after)
    except NotAllowed:
        raise PanelError(403, "organisation_closed") from None
    ids = [(card.referral.id) for column in columns for card in column["cards"]]
    audit.record(
        session,
        action="referral.list",
        entity_type="organisation" if user.role == Role.ngo else "referral",
        entity_id=user.organisation_id if user.role == Role.ngo else None,
        actor_user_id=user.id,
        detail={"referral_ids": ids},
    )
    session.commit()
    return render(
        request,
        settings,
        "referrals.html",
        {
            "columns": columns,
            "partner": _is_partner_view(user),
            "moves": {
                card.referral.id: board.next_moves(card.referral, user)
                for column in columns
                for card in column["cards"]
            }
            if _is_partner_view(user)
            else {},
            "only": only.value if only else "",
            "problem": problem,
        },
        user=user,
        active="referrals",
        status_code=status_code,
    )


@router.get("/referrals")
def referrals(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    status: Annotated[str, Query(max_length=20)] = "",
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    only = optional_choice(status, ReferralStatus)
    return _page(request, session, settings, user, only=only, after=after)


@router.get("/referrals/{referral_id}")
def one(
    referral_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """One referral as its partner sees it (the link in their e-mail): the shared fields,
    its history (by the person, the partner or the programme, never a staff name), and
    the next steps. Another organisation's, or a proposal not yet agreed, is 404."""
    if not _is_partner_view(user):
        raise PanelError(404, "not_found")  # officers read referrals on the case
    try:
        referral = referral_service.referral_for(session, user, referral_id)
    except NotAllowed:
        raise PanelError(403, "organisation_closed") from None
    if referral is None:
        raise PanelError(404, "not_found")
    person = session.get(Person, referral.person_id)
    assert person is not None
    view = referral_service.shared_view(referral, person)
    events = history(session, referral.id)  # type: ignore[arg-type]
    audit.record(
        session,
        action="referral.read",
        entity_type="referral",
        entity_id=referral.id,
        person_id=referral.person_id,
        actor_user_id=user.id,
    )
    session.commit()
    return render(
        request,
        settings,
        "referral.html",
        {
            "card": view,
            "events": events,
            "moves": {referral.id: board.next_moves(referral, user)},
            "problem": None,
        },
        user=user,
        active="referrals",
    )


@router.post("/referrals/{referral_id}/status", dependencies=[CsrfChecked])
def move(
    referral_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    status: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=REASON_CHARS)] = "",
) -> Response:
    if not _is_partner_view(user):
        raise PanelError(404, "not_found")  # officers move referrals from the case
    try:
        view = referral_service.move_for(
            session,
            settings,
            user,
            referral_id,
            status,
            reason=reason.strip() or None,
            now=utcnow(),
        )
    except NotAllowed:
        session.rollback()
        raise PanelError(403, "organisation_closed") from None
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        code = 409 if isinstance(exc, Conflict) else 422
        problem = {"referral_id": referral_id, "message": str(exc)}
        return _page(request, session, settings, user, problem=problem, status_code=code)
    if view is None:
        session.rollback()
        raise PanelError(404, "not_found")
    session.commit()
    runtime.queued()
    return RedirectResponse(f"/panel/referrals#r-{referral_id}", status_code=303)
