"""Staff sign-in state: refresh tokens (revocable) and login attempts (for throttling)."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, required_timestamp_field, timestamp_field


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)  # SHA-256 of the token, never the token
    created_at: datetime = created_at_field()
    expires_at: datetime = required_timestamp_field()
    revoked_at: datetime | None = timestamp_field()
    address: str | None = Field(default=None, max_length=64)


class LoginAttempt(SQLModel, table=True):
    """One failed or successful login. Counted per account and per client address over a
    sliding window; the e-mail is kept only as a keyed hash."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_key_created_at", "email_key", "created_at"),
        Index("ix_login_attempt_address_created_at", "address", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email_key: str = Field(max_length=64)
    address: str = Field(max_length=64)
    succeeded: bool = False
    created_at: datetime = created_at_field()
