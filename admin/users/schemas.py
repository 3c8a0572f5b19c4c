"""What the users API accepts and answers. No response carries a hash or a secret."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field as PydanticField
from pydantic import StringConstraints
from sqlmodel import SQLModel

from admin.persons.schemas import Language, Region, UtcDatetime, _Input
from admin.validation import LineChars, NameChars, TextChars
from bot.models import User
from bot.models.enums import Role
from bot.services.persons import MAX_ID
from bot.services.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

Email = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254), NameChars
]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NameChars]
Password = Annotated[
    str,
    StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH),
    TextChars,
]
TimeZone = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), LineChars
]
UserId = Annotated[int, PydanticField(ge=1, le=MAX_ID)]


class UserCreate(_Input):
    email: Email
    password: Password
    role: Role
    full_name: FullName = ""
    supervisor_id: UserId | None = None
    organisation_id: UserId | None = None
    region: Region | None = None
    language: Language = "ru"
    timezone: TimeZone = "Asia/Almaty"


class UserUpdate(_Input):
    """Only the fields sent are changed; `null` clears supervisor, organisation, region."""

    email: Email | None = None
    full_name: FullName | None = None
    role: Role | None = None
    supervisor_id: UserId | None = None
    organisation_id: UserId | None = None
    region: Region | None = None
    is_active: bool | None = None
    language: Language | None = None
    timezone: TimeZone | None = None
    # A new password set by an admin (the user's sessions end); or a lost second factor
    # cleared so the user enrols again.
    password: Password | None = None
    reset_second_factor: bool = False


class UserPublic(SQLModel):
    id: int
    email: str
    full_name: str
    role: str
    supervisor_id: int | None
    organisation_id: int | None
    region: str | None
    is_active: bool
    language: str
    timezone: str
    totp_enabled: bool
    created_at: UtcDatetime
    password_changed_at: UtcDatetime | None

    @classmethod
    def from_user(cls, user: User) -> UserPublic:
        return cls(
            id=user.id,  # type: ignore[arg-type]
            email=str(user.email),
            full_name=user.full_name,
            role=str(user.role),
            supervisor_id=user.supervisor_id,
            organisation_id=user.organisation_id,
            region=user.region,
            is_active=user.is_active,
            language=user.language,
            timezone=user.timezone,
            totp_enabled=user.totp_enabled_at is not None,
            created_at=user.created_at,
            password_changed_at=user.password_changed_at,
        )


class UsersPage(SQLModel):
    items: list[UserPublic]
    next_after: int | None
