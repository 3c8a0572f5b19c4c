"""Staff accounts: admins, supervisors, officers and NGO coordinators."""

from datetime import datetime

from pydantic import EmailStr
from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, timestamp_field
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
    # Alerts: the language of their texts, the zone the digest hour is read in, the hour
    # (None: the deployment's default), which channels to use, and the linked Telegram chat.
    language: str = Field(default="ru", max_length=8)
    timezone: str = Field(default="Asia/Almaty", max_length=64)
    digest_hour: int | None = Field(default=None, ge=0, le=23)
    digest_sent_at: datetime | None = timestamp_field()
    alert_email: bool = True
    alert_telegram: bool = True
    telegram_chat_id: str | None = Field(default=None, max_length=32, unique=True)
    telegram_link_code_hash: str | None = Field(default=None, max_length=64, index=True)
    telegram_link_expires_at: datetime | None = timestamp_field()
    # Second factor (TOTP); recovery codes are stored as hashes and shown once.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = timestamp_field()
    # The 30-second step of the last code accepted: a code is good once, not for 90 s.
    totp_last_step: int | None = None
    totp_recovery_hashes: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    password_changed_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class UserPublic(UserBase):
    id: int
