"""A partner's openings (jobs, rooms, places in a programme): NGO staff manage their own
organisation's, admins any. The journeys offer an opening while it is open, not past its
closing time and not full."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from admin.organisations.schemas import OpportunityCreate, OpportunityUpdate
from admin.panel.forms import FormProblem, checked, refusals, submit
from admin.panel.rendering import render
from admin.panel.security import CsrfChecked, PanelError, PanelUser
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.core.settings import Settings
from bot.models import Organisation, User
from bot.models.enums import Role, Service
from bot.services import NotAllowed
from bot.services import organisations as service
from bot.services.persons import MAX_ID
from bot.services.referrals import partner_organisation

router = APIRouter()

LANGUAGES = ("ru", "kk", "en")
TEXTS = ("title", "description", "how_to_apply")
TEXT_FIELDS = tuple(f"{name}_{lang}" for name in TEXTS for lang in LANGUAGES)
FORM_FIELDS = ("organisation_id", "kind", "region", "capacity", *TEXT_FIELDS)
PAGE = 50


def _manager(session: Session, user: User) -> Organisation | None:
    """NGO staff of an active organisation (their organisation) or an admin (None)."""
    if user.role not in (Role.ngo, Role.admin):
        raise PanelError(404, "not_found")
    try:
        return partner_organisation(session, user)
    except NotAllowed:  # a deactivated or missing organisation
        raise PanelError(403, "organisation_closed") from None


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    user: User,
    *,
    after: int | None = None,
    problem: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    own = _manager(session, user)
    rows = service.list_opportunities(
        session,
        user,
        after=after,
        limit=PAGE + 1,
        organisation_id=None,
        region=None,
        kind=None,
        status=None,
    )
    organisations = (
        [own]
        if own is not None
        else service.list_organisations(session, after=None, limit=500, active=True)
    )
    return render(
        request,
        settings,
        "opportunities.html",
        {
            "items": rows[:PAGE],
            "next_after": rows[PAGE - 1].id if len(rows) > PAGE else None,
            "organisations": organisations,
            "names": {o.id: o.name for o in organisations},
            "services": [s.value for s in Service],
            "languages": LANGUAGES,
            "problem": problem,
        },
        user=user,
        active="opportunities",
        status_code=status_code,
    )


@router.get("/opportunities")
def opportunities(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    return _page(request, session, settings, user, after=after)


def _texts(form: dict[str, str], name: str) -> dict[str, str]:
    return {
        lang: form[f"{name}_{lang}"].strip()
        for lang in LANGUAGES
        if form.get(f"{name}_{lang}", "").strip()
    }


def _capacity(raw: str) -> int | None:
    if not raw.strip():
        return None
    if not raw.strip().isdigit():
        raise FormProblem("create", "capacity: a whole number, or leave it empty")
    return int(raw.strip()[:7])


@router.post("/opportunities", dependencies=[CsrfChecked])
async def create(
    request: Request, user: PanelUser, session: SessionDep, settings: SettingsDep
) -> Response:
    own = _manager(session, user)
    raw = await request.form()
    form = {k: v for k in FORM_FIELDS if isinstance(v := raw.get(k, ""), str)}

    def work() -> str:
        values = {
            "organisation_id": own.id if own is not None else (form.get("organisation_id") or None),
            "kind": form.get("kind") or None,
            "region": form.get("region", "").strip() or None,
            "capacity": _capacity(form.get("capacity", "")),
            **{name: _texts(form, name) for name in TEXTS},
        }
        valid = checked(OpportunityCreate, "create", values)
        with refusals("create"):
            made = service.create_opportunity(session, valid.model_dump(), actor=user, now=utcnow())
        if made is None:
            raise FormProblem("create", "organisation_id: not an organisation you manage")
        return f"/panel/opportunities#o-{made.id}"

    return submit(
        session,
        work,
        lambda problem, code: _page(
            request, session, settings, user, problem=problem, status_code=code
        ),
    )


@router.post("/opportunities/{opportunity_id}/status", dependencies=[CsrfChecked])
def open_or_close(
    opportunity_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    _manager(session, user)
    opportunity = service.get_opportunity_for(session, user, opportunity_id)
    if opportunity is None:
        raise PanelError(404, "not_found")

    def work() -> str:
        valid = checked(OpportunityUpdate, str(opportunity_id), {"status": status})
        with refusals(str(opportunity_id)):
            service.update_opportunity(
                session,
                opportunity,
                valid.model_dump(exclude_unset=True),
                actor=user,
                now=utcnow(),
            )
        return f"/panel/opportunities#o-{opportunity_id}"

    return submit(
        session,
        work,
        lambda problem, code: _page(
            request, session, settings, user, problem=problem, status_code=code
        ),
    )
