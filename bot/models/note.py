"""An officer's notes on a case: staff-only, never shown to a partner organisation."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Column, Field, SQLModel

from bot.models.base import created_at_field


class Note(SQLModel, table=True):
    __table_args__ = (Index("ix_note_person_id_created_at", "person_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    author_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = created_at_field()
