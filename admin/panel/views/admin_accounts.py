"""Administration in the panel, for admins only: staff accounts (create, activate or
deactivate) and partner organisations (create, activate or deactivate), through the
users and organisations services and the API's own schemas."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from admin.organisations.schemas import OrganisationCreate
from admin.panel.forms import checked, refusals, submit
from admin.panel.rendering import render
from admin.panel.security import CsrfChecked, PanelError, PanelUser
from admin.users.schemas import UserCreate
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.core.settings import Settings
from bot.models import Organisation, User
from bot.models.enums import Role, Service
from bot.services import organisations as organisation_service
from bot.services import users as user_service
from bot.services.persons import MAX_ID

router = APIRouter(prefix="/admin")

PAGE = 50
ROLES = [r.value for r in Role]
FieldText = Annotated[str, Form(max_length=1100)]


def admin_only(user: User) -> User:
    if user.role != Role.admin:
        raise PanelError(404, "not_found")
    return user


@router.get("")
def home(request: Request, user: PanelUser, settings: SettingsDep) -> Response:
    admin_only(user)
    return render(request, settings, "admin.html", {}, user=user, active="admin")


# --- staff -----------------------------------------------------------------------------------


def _staff_page(
    request: Request,
    session: Session,
    settings: Settings,
    user: User,
    *,
    after: int | None = None,
    problem: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    page = user_service.list_users(session, limit=PAGE, after=after)
    organisations = organisation_service.list_organisations(
        session, after=None, limit=500, active=None
    )
    supervisors = user_service.list_users(
        session, limit=500, role=Role.supervisor, is_active=True
    ).items
    return render(
        request,
        settings,
        "admin_staff.html",
        {
            "staff": page.items,
            "next_after": page.next_after,
            "roles": ROLES,
            "organisations": organisations,
            "organisation_names": {o.id: o.name for o in organisations},
            "supervisors": supervisors,
            "problem": problem,
        },
        user=user,
        active="admin",
        status_code=status_code,
    )


@router.get("/staff")
def staff(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    admin_only(user)
    return _staff_page(request, session, settings, user, after=after)


@router.post("/staff", dependencies=[CsrfChecked])
def create_staff(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    email: FieldText = "",
    full_name: FieldText = "",
    role: FieldText = "",
    password: FieldText = "",
    organisation_id: FieldText = "",
    supervisor_id: FieldText = "",
    language: FieldText = "ru",
) -> Response:
    admin_only(user)

    def work() -> str:
        body = checked(
            UserCreate,
            "create",
            {
                "email": email,
                "full_name": full_name,
                "role": role,
                "password": password,
                "organisation_id": organisation_id or None,
                "supervisor_id": supervisor_id or None,
                "language": language,
            },
        )
        with refusals("create"):
            user_service.create_user(
                session,
                email=body.email,
                password=body.password,
                role=body.role,
                full_name=body.full_name,
                organisation_id=body.organisation_id,
                supervisor_id=body.supervisor_id,
                language=body.language,
                actor_user_id=user.id,
            )
        return "/panel/admin/staff"

    return submit(
        session,
        work,
        lambda problem, code: _staff_page(
            request, session, settings, user, problem=problem, status_code=code
        ),
    )


@router.post("/staff/{user_id}/active", dependencies=[CsrfChecked])
def set_staff_active(
    user_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    admin_only(user)
    target = session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
    if target is None:
        raise PanelError(404, "not_found")
    if target.id == user.id:  # no one locks themselves out from here
        problem = {"form": str(user_id), "message": "You cannot deactivate your own account."}
        return _staff_page(request, session, settings, user, problem=problem, status_code=409)

    def work() -> str:
        with refusals(str(user_id)):
            user_service.update_user(
                session, target, {"is_active": active == "true"}, actor=user, now=utcnow()
            )
        return f"/panel/admin/staff#u-{user_id}"

    return submit(
        session,
        work,
        lambda problem, code: _staff_page(
            request, session, settings, user, problem=problem, status_code=code
        ),
    )


# --- organisations ---------------------------------------------------------------------------


def _organisations_page(
    request: Request,
    session: Session,
    settings: Settings,
    user: User,
    *,
    after: int | None = None,
    problem: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    rows = organisation_service.list_organisations(
        session, after=after, limit=PAGE + 1, active=None
    )
    return render(
        request,
        settings,
        "admin_organisations.html",
        {
            "organisations": rows[:PAGE],
            "next_after": rows[PAGE - 1].id if len(rows) > PAGE else None,
            "services": [s.value for s in Service],
            "problem": problem,
        },
        user=user,
        active="admin",
        status_code=status_code,
    )


@router.get("/organisations")
def organisations(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    admin_only(user)
    return _organisations_page(request, session, settings, user, after=after)


def _list(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()][:30]


@router.post("/organisations", dependencies=[CsrfChecked])
async def create_organisation(
    request: Request, user: PanelUser, session: SessionDep, settings: SettingsDep
) -> Response:
    admin_only(user)
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip()[:1100] if isinstance(value, str) else ""

    values = {
        "name": text("name"),
        "services": [s for s in form.getlist("services") if isinstance(s, str)][:8],
        "regions": _list(text("regions")),
        "languages": [s for s in form.getlist("languages") if isinstance(s, str)][:3],
        "contact_email": text("contact_email") or None,
        "contact_phone": text("contact_phone") or None,
        "address": text("address") or None,
        "opening_hours": text("opening_hours") or None,
    }

    def work() -> str:
        body = checked(OrganisationCreate, "create", values)
        with refusals("create"):
            organisation_service.create_organisation(
                session, settings, body.model_dump(exclude_unset=True), actor=user, now=utcnow()
            )
        return "/panel/admin/organisations"

    return submit(
        session,
        work,
        lambda problem, code: _organisations_page(
            request, session, settings, user, problem=problem, status_code=code
        ),
    )


@router.post("/organisations/{organisation_id}/active", dependencies=[CsrfChecked])
def set_organisation_active(
    organisation_id: int,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    admin_only(user)
    organisation = (
        session.get(Organisation, organisation_id) if 1 <= organisation_id <= MAX_ID else None
    )
    if organisation is None:
        raise PanelError(404, "not_found")
    organisation_service.update_organisation(
        session, settings, organisation, {"is_active": active == "true"}, actor=user, now=utcnow()
    )
    session.commit()
    return RedirectResponse(f"/panel/admin/organisations#o-{organisation_id}", status_code=303)
