"""Linking a staff member's Telegram chat: a one-time code from the API, sent to the bot
as `/start <code>`. Only the code's SHA-256 is stored, and it works once, for 10 minutes."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.models import User

LINK_TTL = timedelta(minutes=10)
# What `/start <payload>` must look like to be a staff code (Telegram allows 64 of these).
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_link_code(session: Session, user: User, now: datetime) -> tuple[str, datetime]:
    """A fresh code for `user` (an earlier one stops working) and when it expires."""
    code = secrets.token_urlsafe(24)  # 32 characters of A-Za-z0-9_-
    expires_at = now + LINK_TTL
    user.telegram_link_code_hash = hash_code(code)
    user.telegram_link_expires_at = expires_at
    session.add(user)
    session.flush()
    return code, expires_at


def redeem_link_code(session: Session, code: str, chat_id: str, now: datetime) -> User | None:
    """The active staff member whose unexpired code this is, now linked to `chat_id`;
    None when the text is no such code (it is then a person's business)."""
    if not CODE_PATTERN.fullmatch(code):
        return None
    user = session.exec(
        select(User).where(User.telegram_link_code_hash == hash_code(code)).with_for_update()
    ).first()
    if user is None or not user.is_active:
        return None
    expires = user.telegram_link_expires_at
    user.telegram_link_code_hash = None
    user.telegram_link_expires_at = None
    if expires is None or expires <= now:
        session.add(user)
        return None
    # One chat belongs to one staff member: a chat linked before moves to this account.
    for other in session.exec(
        select(User).where(User.telegram_chat_id == chat_id, col(User.id) != user.id)
    ):
        other.telegram_chat_id = None
        session.add(other)
    session.flush()
    user.telegram_chat_id = chat_id
    session.add(user)
    session.flush()
    return user


def staff_for_chat(session: Session, chat_id: str) -> User | None:
    """The staff member (active or not) who linked this chat: it is never a person's."""
    return session.exec(select(User).where(User.telegram_chat_id == chat_id)).first()
