"""Staff accounts: admins, supervisors, officers and NGO coordinators."""

from datetime import datetime

from pydantic import EmailStr
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field
from bot.models.enums import Role


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=254, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)
    role: Role = Field(sa_type=String(16), default=Role.officer, max_length=16)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    region: str | None = Field(default=None, max_length=64)
    is_active: bool = True


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    supervisor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_at: datetime = created_at_field()


class UserPublic(UserBase):
    id: int
