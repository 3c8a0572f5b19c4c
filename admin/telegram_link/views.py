"""`POST /api/v1/me/telegram-link`: a one-time code to link the caller's Telegram chat
for staff alerts. The staff member sends `/start <code>` to the bot (or opens the link)."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel

from admin.access import ALL_STAFF, CurrentUser, allow
from admin.persons.schemas import UtcDatetime
from bot.channels.telegram.adapter import telegram_link
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import RuntimeDep, SessionDep
from bot.services.telegram_link import new_link_code

router = APIRouter(prefix="/me", tags=["me"])


class TelegramLinkPublic(BaseModel):
    # Shown once; only its SHA-256 is kept. Send it to the bot as "/start <code>".
    code: str
    expires_at: UtcDatetime
    # https://t.me/<bot>?start=<code>; null while the bot's name is unknown or Telegram is off.
    telegram_link: str | None


@router.post(
    "/telegram-link",
    response_model=TelegramLinkPublic,
    status_code=status.HTTP_201_CREATED,
    **allow(*ALL_STAFF),
)
def create_telegram_link(
    user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> TelegramLinkPublic:
    """A code valid for 10 minutes; a new one replaces the last."""
    code, expires_at = new_link_code(session, user, utcnow())
    audit.record(
        session,
        action="user.telegram_link_code",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=user.id,
    )
    session.commit()
    return TelegramLinkPublic(
        code=code, expires_at=expires_at, telegram_link=telegram_link(runtime.channels, code)
    )
