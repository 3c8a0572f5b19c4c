"""Twilio's delivery status callbacks: move a sent message on, and act on a final failure.

Callbacks come at least once and not always in order (`sent` can arrive after
`delivered`), so a message only moves forward: sent → delivered | undelivered | failed,
and a final status is never changed again. The move to `undelivered`/`failed` happens
once, and only then is the text tried on the person's other channel (or the officer told),
through the same `reroute_or_escalate` the dispatcher uses for a refused send.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.alerts.queue import record_staff_failure
from bot.channels.base import IdentityFlag
from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.delivery.fallback import reroute_or_escalate
from bot.models import Message
from bot.models.enums import Channel, Direction, MessageStatus

log = logging.getLogger(__name__)

# What Twilio reports, as the status we keep. Twilio's interim states all mean it has the
# message, which is what our `sent` says.
STATUS_MAP: dict[str, MessageStatus] = {
    "accepted": MessageStatus.sent,
    "scheduled": MessageStatus.sent,
    "queued": MessageStatus.sent,
    "sending": MessageStatus.sent,
    "sent": MessageStatus.sent,
    "delivered": MessageStatus.delivered,
    "undelivered": MessageStatus.undelivered,
    "failed": MessageStatus.failed,
    "canceled": MessageStatus.failed,
}
FINAL_FAILURES = frozenset({MessageStatus.undelivered, MessageStatus.failed})
# Error codes of a final failure that say the number itself is done for
# (https://www.twilio.com/docs/api/errors): the person opted out, or the number is
# unknown or a landline. Others (30003 phone off, 30007 filtered, 30008 unknown) fail this
# message only.
IDENTITY_FLAG_BY_CODE: dict[str, IdentityFlag] = {
    "21610": "opted_out",
    "30005": "blocked",
    "30006": "blocked",
}


@dataclass(frozen=True)
class StatusOutcome:
    known: bool  # a message of ours has this sid
    changed: bool = False
    rerouted: bool = False


def apply_status(
    engine: Engine,
    sid: str,
    reported: str,
    error_code: str | None = None,
    *,
    settings: Settings,
    now: datetime | None = None,
) -> StatusOutcome:
    now = now or utcnow()
    new = STATUS_MAP.get(reported.strip().lower())
    with session_scope(engine) as session:
        message = session.exec(
            select(Message)
            .where(
                Message.channel == Channel.sms,
                Message.provider_message_id == sid,
                Message.direction == Direction.outbound,
            )
            .with_for_update()
        ).first()
        if message is None:
            log.info("status for an unknown sms", extra={"status": reported})
            return StatusOutcome(known=False)
        if new is None:
            log.info("sms status ignored", extra={"message_id": message.id, "status": reported})
            return StatusOutcome(known=True)
        old = MessageStatus(message.status)
        match (old, new):
            case (MessageStatus.queued | MessageStatus.sending, MessageStatus.sent):
                message.status = new
                message.sent_at = message.sent_at or now
            case (
                MessageStatus.queued | MessageStatus.sending | MessageStatus.sent,
                MessageStatus.delivered,
            ):
                message.status = new
                message.delivered_at = now
            case (
                MessageStatus.queued | MessageStatus.sending | MessageStatus.sent,
                MessageStatus.undelivered | MessageStatus.failed,
            ):
                message.status = new
                message.error = f"twilio {reported}" + (f" {error_code}" if error_code else "")
                flag = IDENTITY_FLAG_BY_CODE.get(error_code or "")
                if message.recipient_user_id is not None:
                    record_staff_failure(session, message, now)
                rerouted = reroute_or_escalate(
                    session,
                    message,
                    now,
                    settings,
                    mark_unreachable=flag is not None,
                    flag=flag or "blocked",
                )
                session.add(message)
                log.info(
                    "sms not delivered",
                    extra={"message_id": message.id, "twilio_code": error_code},
                )
                return StatusOutcome(known=True, changed=True, rerouted=rerouted)
            case (same, other) if same == other:
                return StatusOutcome(known=True)
            case _:
                # Late or out of order (e.g. `sent` after `delivered`): the later state stays.
                log.info(
                    "sms status out of order",
                    extra={"message_id": message.id, "from": str(old), "to": str(new)},
                )
                return StatusOutcome(known=True)
        session.add(message)
        return StatusOutcome(known=True, changed=True)
