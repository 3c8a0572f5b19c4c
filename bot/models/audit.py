"""Append-only record of every read of a person's record and every change."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, json_field


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor_kind: str = Field(default="user", max_length=16)  # user | person | system
    action: str = Field(max_length=60)  # e.g. person.read, person.create, invite.create
    entity_type: str = Field(max_length=40)
    entity_id: int | None = None
    person_id: int | None = Field(default=None, index=True)
    detail: dict = json_field()
    address: str | None = Field(default=None, max_length=64)  # the client's address
    created_at: datetime = created_at_field()
