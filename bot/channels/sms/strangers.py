"""Numbers the bot does not know yet, on SMS: enrollment by "YES", and a reply budget.

A public number is a target for SMS pumping (fraudsters make a service text premium
numbers, and every reply is billed), so an unknown number gets at most one neutral
reply a day, and none at all once it has sent an opt-out keyword. The person an officer
invited by SMS is not held back: "YES" from their phone (or their code) enrolls them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from bot.channels.sms.keywords import is_yes
from bot.models import Invite, Message, Person
from bot.models.enums import Channel, Direction
from flows import crisis

STRANGER_REPLIES_PER_DAY = 1
STRANGER_WINDOW = timedelta(hours=24)
OPT_OUT_KIND = "opt_out"  # an inbound opt-out keyword, as stored
STRANGER_CRISIS_KIND = "crisis"  # an unknown number's crisis words, as stored
SAFETY_REPLY_EVERY = timedelta(hours=1)


def sms_invite_code(
    session: Session, channel: str, address: str, text: str | None, now: datetime
) -> str | None:
    """The code of the live SMS invitation sent to this phone, when its owner answers
    "YES" (in any of our languages) instead of typing the code."""
    if channel != Channel.sms or not is_yes(text):
        return None
    # No index on phone_e164 (no schema change in this slice): the live SMS invites are
    # few, and they are what the query narrows first.
    return session.exec(
        select(Invite.code)
        .join(Person, col(Person.id) == col(Invite.person_id))
        .where(
            Invite.channel == Channel.sms,
            col(Invite.used_at).is_(None),
            col(Invite.expires_at) > now,
            Person.phone_e164 == address,
        )
        .order_by(col(Invite.created_at).desc())
    ).first()


def stranger_may_get_reply(
    session: Session,
    channel: str,
    address: str,
    now: datetime,
    *,
    per_day: int,
    text: str | None = None,
) -> bool:
    """Whether an unknown sender may be answered now: never after they opted out, and at
    most `per_day` replies in a rolling day. Both read the (channel, address, id) index.

    Crisis words get the safety message, whatever the budget (a life outweighs the cost of
    an SMS), but at most once an hour per number: ten crisis texts must not buy twenty
    replies (the inbound ones are kept as STRANGER_CRISIS_KIND and counted here)."""
    if crisis.detect(text) is not None:
        recent = session.exec(
            select(func.count(col(Message.id))).where(
                Message.channel == channel,
                Message.address == address,
                Message.direction == Direction.inbound,
                Message.kind == STRANGER_CRISIS_KIND,
                col(Message.created_at) >= now - SAFETY_REPLY_EVERY,
            )
        ).one()
        return recent <= 1  # the message being answered is one of them
    opted_out = session.exec(
        select(Message.id)
        .where(
            Message.channel == channel,
            Message.address == address,
            Message.direction == Direction.inbound,
            Message.kind == OPT_OUT_KIND,
        )
        .limit(1)
    ).first()
    if opted_out is not None:
        return False
    replies = session.exec(
        select(func.count(col(Message.id))).where(
            Message.channel == channel,
            Message.address == address,
            Message.direction == Direction.outbound,
            col(Message.person_id).is_(None),  # replies to a stranger, not an invitation
            col(Message.created_at) >= now - STRANGER_WINDOW,
        )
    ).one()
    return replies < per_day
