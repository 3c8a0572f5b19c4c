"""A person's conversation as the officer reads it: the newest messages, oldest first,
each marked as the person's, the bot's or an officer's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.models import Message
from bot.models.enums import Direction

RECENT = 50


@dataclass(frozen=True)
class Bubble:
    message: Message
    speaker: str  # person | bot | officer


def speaker_of(message: Message) -> str:
    if message.direction == Direction.inbound:
        return "person"
    return "officer" if message.sender_user_id is not None else "bot"


def recent_messages(session: Session, person_id: int, *, limit: int = RECENT) -> list[Bubble]:
    """The last `limit` messages to and from the person, oldest first."""
    rows = session.exec(
        select(Message)
        .where(Message.person_id == person_id)
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
        .limit(limit)
    ).all()
    return [Bubble(m, speaker_of(m)) for m in reversed(rows)]


def messages_after(
    session: Session, person_id: int, after_id: int, *, limit: int = RECENT
) -> list[Bubble]:
    """What came since message `after_id`, oldest first (the panel's poll)."""
    rows = session.exec(
        select(Message)
        .where(Message.person_id == person_id, col(Message.id) > after_id)
        .order_by(col(Message.id))
        .limit(limit)
    ).all()
    return [Bubble(m, speaker_of(m)) for m in rows]
