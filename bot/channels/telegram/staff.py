"""Staff chats on the persons' bot: linking with `/start <code>`, and a short answer to
anything a linked staff chat writes. Checked before any person handling, so a staff chat
never enters the persons' flows (no person, no enrollment, nothing stored of its text)."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlmodel import Session, col, select

from bot.alerts.queue import queue_staff_reply
from bot.core import audit
from bot.models import User
from bot.services.telegram_link import redeem_link_code, staff_for_chat
from flows.i18n import translate

log = logging.getLogger(__name__)

START_WITH_PAYLOAD = re.compile(r"/start(?:@\w+)?\s+(\S+)\s*")


def staff_chats(session: Session) -> frozenset[str]:
    """The chats staff have linked, read once per session: the processor asks for every
    update of a batch, and staff are a few hundred, people a million."""
    cached = session.info.get("staff_chats")
    if cached is None:
        cached = frozenset(
            chat
            for chat in session.exec(
                select(User.telegram_chat_id).where(col(User.telegram_chat_id).is_not(None))
            ).all()
            if chat is not None
        )
        session.info["staff_chats"] = cached
    return cached


def handle_staff_chat(session: Session, chat_id: str, text: str | None, now: datetime) -> bool:
    """True when the chat is (or has just become) a staff chat and was answered."""
    match = START_WITH_PAYLOAD.fullmatch(text or "")
    if chat_id not in staff_chats(session) and match is None:
        return False
    user = staff_for_chat(session, chat_id)
    if user is not None:
        queue_staff_reply(session, user, chat_id, translate("staff.chat_reply", user.language), now)
        return True
    if match is None:
        return False
    user = redeem_link_code(session, match.group(1), chat_id, now)
    if user is None:
        return False
    session.info.pop("staff_chats", None)  # one more staff chat from now on
    audit.record(
        session,
        action="user.telegram_linked",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=user.id,
    )
    queue_staff_reply(session, user, chat_id, translate("staff.linked", user.language), now)
    log.info("staff telegram chat linked", extra={"user_id": user.id})
    return True
