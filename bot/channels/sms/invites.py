"""Invitations by SMS: the short text that asks a person to reply YES (or send the code).

The text is queued as an outbound message in the caller's transaction, after the invite
row, so it goes out only if the invitation is committed; the dispatcher sends it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.channels.sms.strangers import OPT_OUT_KIND
from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.models import ChannelIdentity, Invite, Message, Person
from bot.models.enums import Channel, Direction, MessageStatus
from bot.pipeline.conversation import as_language
from bot.services import Conflict
from flows.i18n import translate

INVITE_KIND = "invite"


def ensure_sms_invitable(session: Session, person: Person, settings: Settings) -> str:
    """The phone to text the invitation to; Conflict (409) with the reason otherwise."""
    if not settings.twilio_enabled:
        raise Conflict(
            "SMS is not set up in this deployment (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
            "a sender are needed); invite by another channel"
        )
    phone = person.phone_e164
    if not phone:
        raise Conflict("the person has no phone number on record; add one to invite by SMS")
    identity = session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == Channel.sms, ChannelIdentity.address == phone
        )
    ).first()
    stranger_opted_out = (
        identity is None
        and session.exec(
            select(Message.id)
            .where(
                Message.channel == Channel.sms,
                Message.address == phone,
                Message.direction == Direction.inbound,
                Message.kind == OPT_OUT_KIND,
            )
            .limit(1)
        ).first()
        is not None
    )
    if stranger_opted_out or (identity is not None and identity.opted_out):
        raise Conflict(
            "this number asked for no more text messages (STOP); it can be texted again "
            "only after the person sends START"
        )
    if identity is not None:
        raise Conflict("this number is already enrolled by SMS")
    return phone


def queue_sms_invitation(
    session: Session, person: Person, invite: Invite, *, now: datetime | None = None
) -> Message:
    """Queue the invitation text (in the person's language) for the dispatcher."""
    now = now or utcnow()
    assert person.phone_e164, "call ensure_sms_invitable first"
    language = as_language(person.language)
    message = Message(
        direction=Direction.outbound,
        channel=Channel.sms,
        address=person.phone_e164,
        person_id=person.id,
        kind=INVITE_KIND,
        body=translate("sms.invite", language, code=invite.code),
        language=language,
        status=MessageStatus.queued,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    return message
