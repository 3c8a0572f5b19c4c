"""An officer writes to a person: the words go out on the person's preferred channel,
marked as the officer's, and the person's next free text is routed back for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.settings import Settings
from bot.delivery.reachability import preferred_identity
from bot.models import Message, Person, User
from bot.models.enums import Direction, MessageStatus, PersonStatus
from bot.pipeline.conversation import as_language
from bot.services import Conflict
from flows.i18n import translate

# Someone who has not agreed to the service, has left it or was erased gets nothing.
_REACHABLE = (PersonStatus.active, PersonStatus.paused)


def queue_officer_message(
    session: Session,
    settings: Settings,
    person: Person,
    officer: User,
    text: str,
    *,
    now: datetime,
) -> Message:
    """Queue `text` to the person in the outbox and open the reply window; the caller
    commits. Conflict when no channel reaches the person."""
    assert person.id is not None
    if person.erased_at is not None or person.status not in _REACHABLE or not person.consent_given:
        raise Conflict(f"the person cannot be reached (status {person.status})")
    identity = preferred_identity(session, person.id)
    if identity is None:
        raise Conflict("no channel reaches the person (blocked, opted out or never connected)")
    language = as_language(person.language)
    message = Message(
        direction=Direction.outbound,
        channel=identity.channel,
        address=identity.address,
        person_id=person.id,
        identity_id=identity.id,
        kind="officer",
        body=translate("officer.message_prefix", language, text=text),
        language=language,
        status=MessageStatus.queued,
        next_attempt_at=now,
        created_at=now,
        sender_user_id=officer.id,
    )
    session.add(message)
    person.officer_reply_until = now + timedelta(hours=settings.officer_reply_window_hours)
    person.updated_at = now
    session.add(person)
    session.flush()
    return message
