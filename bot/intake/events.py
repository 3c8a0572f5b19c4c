"""Each channel's events: what a webhook stores, and what the processor makes of it.

A Telegram event keeps the update as Telegram sent it; an SMS event keeps the fields of
Twilio's form the pipeline reads (the signature was checked over the whole form). Lanes
name the sender, so one person's events are processed in the order they came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram import Update

from bot.channels.sms.inbound import receive_sms_in
from bot.channels.telegram.adapter import TELEGRAM
from bot.channels.telegram.inbound import (
    PressAck,
    badly_typed,
    handle_plain_update_in,
    handle_update_in,
    is_private,
)
from bot.channels.telegram.plain_update import PlainUpdate, plain_update
from bot.core.settings import Settings
from bot.intake.store import NewEvent
from bot.models import InboundEvent
from bot.models.enums import Channel
from bot.pipeline.inbound import InboundMessage


class UnreadableEvent(Exception):
    """A stored event the processor cannot read (a channel or shape it does not know)."""


@dataclass(frozen=True)
class Handled:
    # message, duplicate, member, staff, ignored (or failed, set by the processor)
    outcome: str
    # Something was queued for sending: wake the dispatcher after the commit.
    queued: bool = False
    ack: PressAck | None = None


def telegram_event(data: dict[str, Any], update: Update) -> NewEvent | None:
    """The event to store for an update, or None when nothing would be done with it
    (groups and channels are not ours to answer)."""
    chat = update.effective_chat
    if chat is None or not is_private(update):
        return None
    return plain_telegram_event(data, PlainUpdate(update_id=update.update_id, chat_id=chat.id))


def plain_telegram_event(data: dict[str, Any], plain: PlainUpdate) -> NewEvent:
    """The event to store for an update in a plain shape (read without python-telegram-bot,
    bot/channels/telegram/plain_update.py): always a private chat's."""
    return NewEvent(
        channel=TELEGRAM,
        provider_event_id=plain.provider_id,
        lane=f"{TELEGRAM}:{plain.chat_id}",
        payload={"update": data},
    )


def sms_event(inbound: InboundMessage, opt_out_type: str | None) -> NewEvent:
    return NewEvent(
        channel=Channel.sms,
        provider_event_id=inbound.provider_message_id,
        lane=f"{Channel.sms}:{inbound.address}",
        payload={
            "address": inbound.address,
            "text": inbound.text,
            "kind": inbound.kind,
            "language_hint": inbound.language_hint,
            "opt_out_type": opt_out_type,
        },
    )


def handle_event(
    session: Session, event: InboundEvent, *, settings: Settings, now: datetime
) -> Handled:
    """Run one stored event through its channel's handling, in the caller's transaction."""
    payload = event.payload or {}
    if event.channel == TELEGRAM:
        data = payload.get("update")
        if not isinstance(data, dict):
            raise UnreadableEvent("telegram event without an update")
        plain = plain_update(data)
        if plain is not None:  # read as it is, as the webhook did (a tenth of the work)
            outcome = handle_plain_update_in(session, data, plain, settings=settings, now=now)
        else:
            update = Update.de_json(data, None)
            if badly_typed(update):
                raise UnreadableEvent("telegram update with a badly typed field")
            outcome = handle_update_in(session, update, settings=settings, now=now)
        return Handled(
            "duplicate" if outcome.duplicate else outcome.handling,
            queued=outcome.queued,
            ack=outcome.ack,
        )
    if event.channel == Channel.sms:
        inbound = InboundMessage(
            channel=Channel.sms,
            address=str(payload.get("address") or ""),
            provider_message_id=event.provider_event_id,
            text=_text(payload.get("text")),
            kind=str(payload.get("kind") or "text"),
            language_hint=_text(payload.get("language_hint")),
        )
        sms = receive_sms_in(
            session,
            inbound,
            settings=settings,
            opt_out_type=_text(payload.get("opt_out_type")),
            now=now,
        )
        return Handled("duplicate" if sms.duplicate else "message", queued=not sms.duplicate)
    raise UnreadableEvent(f"no handling for channel {event.channel!r}")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
