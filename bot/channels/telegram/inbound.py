"""One Telegram update into the inbound pipeline: what the processor does with a stored
update, whether it came by webhook or by polling.

Only private chats are handled. A message or button press becomes an `InboundMessage`
under the provider id `u:<update_id>`, so Telegram's re-deliveries of one update are
stored once; `my_chat_member` (the person blocked or unblocked the bot) marks the
identity. Provider calls that follow (answering a pressed button) run after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, select
from telegram import Message as TelegramMessage
from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import filters

from bot.channels.telegram.adapter import TELEGRAM
from bot.channels.telegram.plain_update import PlainUpdate, provider_id
from bot.channels.telegram.staff import handle_staff_chat
from bot.core import audit
from bot.core.settings import Settings
from bot.models import ChannelIdentity
from bot.pipeline.inbound import InboundMessage, process_inbound_in

log = logging.getLogger(__name__)

# What arrived, in the words the flows and the transcript use. The first attribute the
# message has wins; anything else is "other". All but text get the "text only" reply.
_ATTACHMENT_KINDS = (
    ("photo", "photo"),
    ("voice", "voice"),
    ("video_note", "video"),
    ("video", "video"),
    ("audio", "audio"),
    ("animation", "animation"),
    ("sticker", "sticker"),
    ("document", "document"),
    ("venue", "location"),
    ("location", "location"),
    ("contact", "contact"),
    ("poll", "poll"),
    ("dice", "dice"),
)
# Statuses after which the bot can no longer write to the private chat.
_GONE = frozenset({ChatMemberStatus.BANNED, ChatMemberStatus.LEFT})

Handling = Literal["message", "member", "staff", "ignored"]


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


# (path, types) of the fields this module reads. python-telegram-bot builds an Update from
# any JSON without checking types, so a list where the text should be would reach the
# flows; Telegram never sends one, but the webhook refuses it (400) rather than fail.
_TYPED_FIELDS: tuple[tuple[tuple[str, ...], tuple[type, ...]], ...] = (
    (("effective_chat", "id"), (int,)),
    (("effective_chat", "type"), (str,)),
    (("effective_user", "id"), (int,)),
    (("effective_user", "language_code"), (str,)),
    (("callback_query", "id"), (str,)),
    (("callback_query", "data"), (str,)),
    (("message", "text"), (str,)),
    (("message", "caption"), (str,)),
    (("edited_message", "text"), (str,)),
    (("edited_message", "caption"), (str,)),
    (("my_chat_member", "new_chat_member", "status"), (str,)),
)


def badly_typed(update: Update) -> str | None:
    """The first field this module reads that has the wrong type, or None."""
    for path, types in _TYPED_FIELDS:
        value: object = update
        for name in path:
            value = getattr(value, name, None)
            if value is None:
                break
        if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
            return ".".join(path)
    return None


def inbound_from_update(update: Update) -> InboundMessage | None:
    """The channel-neutral message an update carries, or None (nothing to answer)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return None
    language = user.language_code if user is not None else None
    if update.callback_query is not None:
        data = update.callback_query.data
        if not data:
            return None  # a game button or similar: nothing we offered
        return InboundMessage(
            channel=TELEGRAM,
            address=str(chat.id),
            provider_message_id=provider_id(update.update_id),
            choice=data,
            language_hint=language,
            kind="choice",
        )
    message, kind = update.message, None
    if message is None and update.edited_message is not None:
        message, kind = update.edited_message, "edited"
    if message is None or filters.StatusUpdate.ALL.check_update(update):
        # Service messages (the person set an auto-delete timer, pinned a message) are
        # not something they said: answering "text only" would only confuse.
        return None
    text = message.text if message.text is not None else message.caption
    return InboundMessage(
        channel=TELEGRAM,
        address=str(chat.id),
        provider_message_id=provider_id(update.update_id),
        text=text,
        language_hint=language,
        kind=kind or message_kind(message),
    )


def message_kind(message: TelegramMessage) -> str:
    if message.text is not None:
        return "text"
    for attribute, kind in _ATTACHMENT_KINDS:
        if getattr(message, attribute, None):
            return kind
    return "other"


def record_member_change(session: Session, address: str, blocked: bool, now: datetime) -> bool:
    """Mark a known identity blocked or unblocked. True when something changed.

    Idempotent by state: a re-delivered update finds the flag already set and writes
    nothing, so repeats leave one audit event."""
    identity = session.exec(
        select(ChannelIdentity)
        .where(ChannelIdentity.channel == TELEGRAM, ChannelIdentity.address == address)
        .with_for_update()
    ).first()
    if identity is None or identity.blocked == blocked:
        return False
    identity.blocked = blocked
    if not blocked:
        identity.last_seen_at = now
    session.add(identity)
    audit.record(
        session,
        action="channel.blocked" if blocked else "channel.unblocked",
        entity_type="channel_identity",
        entity_id=identity.id,
        person_id=identity.person_id,
        actor_kind="person",
        detail={"channel": TELEGRAM},
    )
    return True


@dataclass(frozen=True)
class PressAck:
    """A pressed button to answer once the press is committed: stop its spinner and,
    for a button we made, take the keyboard off the message at `keyboard_at`."""

    query_id: str
    keyboard_at: tuple[int, int] | None = None


@dataclass(frozen=True)
class UpdateOutcome:
    handling: Handling
    duplicate: bool = False
    replies: int = 0
    # Something was queued for sending (a reply, a staff answer).
    queued: bool = False
    ack: PressAck | None = None


def handle_update_in(
    session: Session, update: Update, *, settings: Settings, now: datetime
) -> UpdateOutcome:
    """One private-chat update, inside the caller's transaction. Provider calls it asks
    for (`ack`) are the caller's to make after the commit."""
    if not is_private(update):
        return UpdateOutcome("ignored")  # groups and channels are not ours to answer
    query = update.callback_query
    member = update.my_chat_member
    if member is not None:
        blocked = member.new_chat_member.status in _GONE
        if record_member_change(session, str(member.chat.id), blocked, now):
            log.info("telegram chat status changed", extra={"blocked": blocked})
        return UpdateOutcome("member")
    chat = update.effective_chat
    message = update.message or update.edited_message
    return _answer(
        session,
        chat_id=str(chat.id) if chat is not None else None,
        text=message.text if message is not None else None,
        query_id=query.id if query is not None else None,
        pressed_on=query.message.message_id
        if query is not None and query.message is not None
        else None,
        inbound=inbound_from_update(update),
        settings=settings,
        now=now,
    )


def handle_plain_update_in(
    session: Session,
    data: dict[str, Any],
    plain: PlainUpdate,
    *,
    settings: Settings,
    now: datetime,
) -> UpdateOutcome:
    """`handle_update_in` for an update in a plain shape (a text, or a button pressed, in a
    private chat: bot/channels/telegram/plain_update.py), read from the JSON as it is."""
    query = data.get("callback_query")
    message = query["message"] if query is not None else data["message"]
    user = query["from"] if query is not None else message.get("from")
    chat_id = str(plain.chat_id)
    language = user.get("language_code") if user is not None else None
    inbound: InboundMessage | None = None
    if query is None:
        text = message.get("text")
        inbound = InboundMessage(
            channel=TELEGRAM,
            address=chat_id,
            provider_message_id=plain.provider_id,
            text=text,
            language_hint=language,
            kind="text" if text is not None else "other",
        )
    elif query.get("data"):
        inbound = InboundMessage(
            channel=TELEGRAM,
            address=chat_id,
            provider_message_id=plain.provider_id,
            choice=query["data"],
            language_hint=language,
            kind="choice",
        )
    return _answer(
        session,
        chat_id=chat_id,
        text=message.get("text") if query is None else None,
        query_id=query["id"] if query is not None else None,
        pressed_on=message["message_id"] if query is not None else None,
        inbound=inbound,
        settings=settings,
        now=now,
    )


def _answer(
    session: Session,
    *,
    chat_id: str | None,
    text: str | None,
    query_id: str | None,
    pressed_on: int | None,
    inbound: InboundMessage | None,
    settings: Settings,
    now: datetime,
) -> UpdateOutcome:
    """A message or a pressed button: to staff handling, or to the persons' pipeline."""
    # A staff chat (or a staff member's /start <code>) never reaches the persons' flows.
    if chat_id is not None and handle_staff_chat(session, chat_id, text, now):
        return UpdateOutcome("staff", queued=True, ack=PressAck(query_id) if query_id else None)
    if inbound is None:
        # Not a button we made (or nothing to answer): just stop the spinner.
        return UpdateOutcome("ignored", ack=PressAck(query_id) if query_id else None)
    outcome = process_inbound_in(session, inbound, settings=settings, now=now)
    if outcome.duplicate:
        return UpdateOutcome("message", duplicate=True)
    ack = None
    if query_id is not None:
        keyboard_at = (int(inbound.address), pressed_on) if pressed_on is not None else None
        ack = PressAck(query_id, keyboard_at)
    return UpdateOutcome("message", replies=outcome.replies, queued=True, ack=ack)
