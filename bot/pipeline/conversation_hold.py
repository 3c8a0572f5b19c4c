"""Whether a message the bot starts must wait: a person in the middle of answering one
question is not handed another (a reminder over a check-in's mood question is how a mood
of 2 became "can't come"). A started conversation waits until the open question is
answered or has gone unanswered for `CONVERSATION_HOLD_MINUTES`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.clock import as_utc
from bot.core.settings import Settings
from bot.pipeline.conversation import state_row


def held_until(
    session: Session, person_id: int, now: datetime, settings: Settings, *, own_flow: str
) -> datetime | None:
    """When the person's open question stops holding new ones back; None: go ahead now.
    A question of `own_flow` itself (an older check-in) never holds back its successor."""
    conversation = state_row(session, person_id)
    if conversation is None or conversation.flow is None or conversation.flow == own_flow:
        return None
    updated = as_utc(conversation.updated_at)
    assert updated is not None
    until = updated + timedelta(minutes=settings.conversation_hold_minutes)
    return until if until > now else None
