"""What happens when a message cannot go where it was queued: send it on the person's
other channel, or tell the officer. Used by the dispatcher and by delivery callbacks.

Only messages to persons come here: a staff alert that fails is recorded on its
escalation instead (`bot.alerts.queue.record_staff_failure`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlmodel import Session, col

from bot.channels.base import IdentityFlag
from bot.core.settings import Settings
from bot.delivery.reachability import preferred_identity
from bot.models import ChannelIdentity, Message
from bot.models.enums import Direction, MessageStatus
from bot.pipeline.escalations import open_escalation

# Answers to a channel's own keywords (SMS STOP/START/HELP). The law asks for them even to
# an address that has just opted out, and they mean nothing on another channel: they are
# neither held back nor rerouted.
KEYWORD_REPLY_KIND = "keyword_reply"


def hold_back_unreachable(
    session: Session, rows: list[Message], now: datetime, settings: Settings
) -> list[Message]:
    """The claimed rows that may still be sent. A row whose address opted out (SMS STOP) or
    blocked the bot after it was queued is not sent: it fails here and goes to the person's
    other channel, or the officer is told. One query per batch."""
    checked = [row for row in rows if _checked(row)]
    if not checked:
        return rows
    unreachable = {
        (channel, address)
        for channel, address in session.execute(
            select(col(ChannelIdentity.channel), col(ChannelIdentity.address)).where(
                col(ChannelIdentity.channel).in_({row.channel for row in checked}),
                col(ChannelIdentity.address).in_({row.address for row in checked}),
                or_(
                    col(ChannelIdentity.blocked).is_(True),
                    col(ChannelIdentity.opted_out).is_(True),
                ),
            )
        ).all()
    }
    kept = []
    for row in rows:
        if not _checked(row) or (row.channel, row.address) not in unreachable:
            kept.append(row)
            continue
        row.status = MessageStatus.failed
        row.error = "not sent: the address opted out or blocked the bot"
        reroute_or_escalate(session, row, now, settings, mark_unreachable=False)
        session.add(row)
    return kept


def _checked(row: Message) -> bool:
    # Staff alerts go to staff addresses, never a person's identity.
    return row.kind != KEYWORD_REPLY_KIND and row.recipient_user_id is None


def reroute_or_escalate(
    session: Session,
    message: Message,
    now: datetime,
    settings: Settings,
    *,
    mark_unreachable: bool,
    flag: IdentityFlag = "blocked",
) -> bool:
    """After a permanent failure: send the same text on the person's other reachable
    channel, or tell the officer the person is unreachable. Returns True if rerouted.

    With `mark_unreachable` the identity gets `flag`; an opt-out (`opted_out`, e.g. Twilio
    21610) is also shown to the officer as a low "opted_out" escalation."""
    if message.person_id is None or message.recipient_user_id is not None:
        return False
    if mark_unreachable and message.identity_id is not None:
        identity = session.get(ChannelIdentity, message.identity_id)
        if identity is not None:
            setattr(identity, flag, True)
            session.add(identity)
            if flag == "opted_out":
                open_escalation(
                    session,
                    settings,
                    person_id=message.person_id,
                    reason="opted_out",
                    severity="low",
                    detail=f"{message.channel}: the provider reports an opt-out",
                    now=now,
                    dedupe_open=True,
                )
    if message.kind == KEYWORD_REPLY_KIND:
        return False  # a STOP/START confirmation means nothing on another channel
    others = preferred_identity(session, message.person_id, exclude_identity_id=message.identity_id)
    if others is not None:
        session.add(
            Message(
                direction=Direction.outbound,
                channel=others.channel,
                address=others.address,
                person_id=message.person_id,
                identity_id=others.id,
                kind=message.kind,
                body=message.body,
                choices=message.choices,
                language=message.language,
                status=MessageStatus.queued,
                next_attempt_at=now,
                created_at=now,
            )
        )
        return True
    open_escalation(
        session,
        settings,
        person_id=message.person_id,
        reason="unreachable",
        severity="low",
        detail=f"{message.channel}: {message.error or 'failed'}",
        now=now,
        dedupe_open=True,
    )
    return False
