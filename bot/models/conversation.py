"""Where each person's conversation stands (kept in the database, so any process may answer)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, json_field


class ConversationState(SQLModel, table=True):
    __tablename__ = "conversation_state"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    flow: str | None = Field(default=None, max_length=40)
    step: str | None = Field(default=None, max_length=40)
    data: dict = json_field()
    misunderstood_in_row: int = 0
    updated_at: datetime = created_at_field()
