"""Staff accounts, for admins: create, list, read, change (including deactivation)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from admin.access import CurrentUser, allow
from admin.lookup import service_errors
from admin.users.schemas import UserCreate, UserPublic, UsersPage, UserUpdate
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep
from bot.models import User
from bot.models.enums import Role
from bot.services import users as user_service
from bot.services.persons import MAX_ID

router = APIRouter(prefix="/users", tags=["users"])

USER_NOT_FOUND = "User not found."
UserIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def _user_or_404(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, USER_NOT_FOUND)
    return user


@router.post(
    "", response_model=UserPublic, status_code=status.HTTP_201_CREATED, **allow(Role.admin)
)
def create_user(body: UserCreate, admin: CurrentUser, session: SessionDep) -> UserPublic:
    with service_errors():
        user = user_service.create_user(
            session,
            email=body.email,
            password=body.password,
            role=body.role,
            full_name=body.full_name,
            organisation_id=body.organisation_id,
            supervisor_id=body.supervisor_id,
            region=body.region,
            language=body.language,
            timezone=body.timezone,
            actor_user_id=admin.id,
        )
    session.commit()
    return UserPublic.from_user(user)


@router.get("", response_model=UsersPage, **allow(Role.admin))
def list_users(
    admin: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="the `next_after` of the previous page")
    ] = None,
    role: Role | None = None,
    is_active: bool | None = None,
) -> UsersPage:
    page = user_service.list_users(
        session, limit=limit, after=after, role=role, is_active=is_active
    )
    audit.record(
        session,
        action="user.list",
        entity_type="user",
        actor_user_id=admin.id,
        detail={"user_ids": [user.id for user in page.items]},
    )
    session.commit()
    return UsersPage(
        items=[UserPublic.from_user(user) for user in page.items], next_after=page.next_after
    )


@router.get("/{user_id}", response_model=UserPublic, **allow(Role.admin))
def read_user(user_id: UserIdPath, admin: CurrentUser, session: SessionDep) -> UserPublic:
    user = _user_or_404(session, user_id)
    audit.record(
        session, action="user.read", entity_type="user", entity_id=user.id, actor_user_id=admin.id
    )
    session.commit()
    return UserPublic.from_user(user)


@router.patch("/{user_id}", response_model=UserPublic, **allow(Role.admin))
def update_user(
    user_id: UserIdPath, body: UserUpdate, admin: CurrentUser, session: SessionDep
) -> UserPublic:
    """Change an account; `is_active: false` also ends its sessions."""
    user = _user_or_404(session, user_id)
    changes = body.model_dump(exclude_unset=True)
    for name in ("email", "full_name", "role", "is_active", "language", "timezone"):
        if name in changes and changes[name] is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} cannot be null.")
    with service_errors():
        user_service.update_user(session, user, changes, actor=admin, now=utcnow())
    session.commit()
    return UserPublic.from_user(user)
