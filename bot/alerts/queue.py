"""Queue staff alerts in the caller's session: the officer at once (high, critical), the
supervisor (or every admin) when a deadline passes, and the officer's daily digest.

Each alert is one outbox row per channel the staff member can be reached on: e-mail when
the deployment has SMTP and they kept e-mail alerts on, Telegram when the bot runs and
they linked a chat. When no channel is left, the escalation shows `alert_failed_at`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.alerts.texts import alert_text, digest_text, overdue_text
from bot.core.settings import Settings
from bot.models import Escalation, Message, Person, User
from bot.models.enums import Direction, MessageStatus, Role

STAFF_ALERT_KIND = "staff_alert"
STAFF_DIGEST_KIND = "staff_digest"
# The bot's short answer to anything a linked staff chat writes.
STAFF_REPLY_KIND = "staff_reply"
STAFF_KINDS = frozenset({STAFF_ALERT_KIND, STAFF_DIGEST_KIND, STAFF_REPLY_KIND})
# Severities that reach the officer at once; the others wait for the day's digest.
IMMEDIATE = frozenset({"critical", "high"})
EMAIL = "email"
TELEGRAM = "telegram"


def staff_addresses(user: User, settings: Settings) -> list[tuple[str, str]]:
    """(channel, address) pairs the user's alerts go to, in the order they are queued."""
    addresses = []
    if settings.email_enabled and user.alert_email and user.email:
        addresses.append((EMAIL, str(user.email)))
    if settings.telegram_enabled and user.alert_telegram and user.telegram_chat_id:
        addresses.append((TELEGRAM, user.telegram_chat_id))
    return addresses


def queue_to_staff(
    session: Session,
    settings: Settings,
    user: User,
    *,
    kind: str,
    text: str,
    now: datetime,
    escalation_id: int | None = None,
) -> list[Message]:
    """One queued outbox row per reachable channel of `user`; [] when none is."""
    rows = [
        Message(
            direction=Direction.outbound,
            channel=channel,
            address=address,
            kind=kind,
            body=text,
            language=user.language,
            status=MessageStatus.queued,
            next_attempt_at=now,
            created_at=now,
            recipient_user_id=user.id,
            escalation_id=escalation_id,
        )
        for channel, address in staff_addresses(user, settings)
    ]
    session.add_all(rows)
    return rows


def active_admins(session: Session) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where(User.role == Role.admin, col(User.is_active).is_(True))
            .order_by(col(User.id))
        )
    )


def officer_recipients(session: Session, person: Person | None) -> list[User]:
    """The person's officer; every admin when the case has no active officer."""
    officer = session.get(User, person.officer_id) if person and person.officer_id else None
    if officer is not None and officer.is_active:
        return [officer]
    return active_admins(session)


def supervisor_recipients(session: Session, person: Person | None) -> list[User]:
    """The officer's supervisor; every admin when there is none (or they are inactive)."""
    officer = session.get(User, person.officer_id) if person and person.officer_id else None
    supervisor = (
        session.get(User, officer.supervisor_id) if officer and officer.supervisor_id else None
    )
    if supervisor is not None and supervisor.is_active:
        return [supervisor]
    return active_admins(session)


def _deliver(
    session: Session,
    settings: Settings,
    escalation: Escalation,
    recipients: Iterable[User],
    text_for: dict[str, str],
    now: datetime,
    render,
) -> bool:
    queued = False
    for user in recipients:
        if user.language not in text_for:
            text_for[user.language] = render(user.language)
        rows = queue_to_staff(
            session,
            settings,
            user,
            kind=STAFF_ALERT_KIND,
            text=text_for[user.language],
            now=now,
            escalation_id=escalation.id,
        )
        queued = queued or bool(rows)
    if not queued:
        escalation.alert_failed_at = escalation.alert_failed_at or now
    return queued


def alert_officer_now(
    session: Session, settings: Settings, escalation: Escalation, now: datetime
) -> bool:
    """Alert the person's officer about a high or critical escalation. False (and
    `alert_failed_at` set) when no channel reaches anyone."""
    if escalation.id is None:
        session.flush()
    assert escalation.id is not None and escalation.ack_deadline is not None
    deadline = escalation.ack_deadline - escalation.created_at
    person = session.get(Person, escalation.person_id)
    queued = _deliver(
        session,
        settings,
        escalation,
        officer_recipients(session, person),
        {},
        now,
        lambda language: alert_text(
            language,
            severity=str(escalation.severity),
            deadline=deadline,
            base_url=settings.public_base_url,
            escalation_id=escalation.id,  # type: ignore[arg-type]
        ),
    )
    escalation.officer_alerted_at = now
    session.add(escalation)
    return queued


def alert_supervisor(
    session: Session, settings: Settings, escalation: Escalation, now: datetime
) -> bool:
    """Tell the officer's supervisor (or every admin) that a deadline passed."""
    assert escalation.id is not None
    person = session.get(Person, escalation.person_id)
    queued = _deliver(
        session,
        settings,
        escalation,
        supervisor_recipients(session, person),
        {},
        now,
        lambda language: overdue_text(
            language,
            severity=str(escalation.severity),
            base_url=settings.public_base_url,
            escalation_id=escalation.id,  # type: ignore[arg-type]
        ),
    )
    escalation.supervisor_alerted_at = now
    session.add(escalation)
    return queued


def queue_digest(
    session: Session,
    settings: Settings,
    user: User,
    escalations: list[Escalation],
    now: datetime,
) -> bool:
    """The day's digest of `escalations` to `user`; marks each one covered."""
    rows = queue_to_staff(
        session,
        settings,
        user,
        kind=STAFF_DIGEST_KIND,
        text=digest_text(user.language, count=len(escalations), base_url=settings.public_base_url),
        now=now,
    )
    for escalation in escalations:
        escalation.officer_alerted_at = now
        if not rows:
            escalation.alert_failed_at = escalation.alert_failed_at or now
        session.add(escalation)
    user.digest_sent_at = now
    session.add(user)
    return bool(rows)


def record_staff_failure(session: Session, message: Message, now: datetime) -> None:
    """A staff alert failed for good. When no other channel of the same alert to the same
    person is still on its way, the escalations it was about show `alert_failed_at`."""
    if message.recipient_user_id is None:
        return
    same_alert = select(func.count()).where(
        Message.recipient_user_id == message.recipient_user_id,
        Message.created_at == message.created_at,
        Message.kind == message.kind,
        col(Message.id) != message.id,
        col(Message.status) != MessageStatus.failed,
    )
    if message.escalation_id is not None:
        same_alert = same_alert.where(Message.escalation_id == message.escalation_id)
    if session.exec(same_alert).one():
        return  # another channel may still carry it
    covered: list[Escalation] = []
    if message.escalation_id is not None:
        escalation = session.get(Escalation, message.escalation_id)
        covered = [escalation] if escalation is not None else []
    elif message.kind == STAFF_DIGEST_KIND:
        # A digest covers the escalations it marked alerted in the same transaction.
        covered = list(
            session.exec(
                select(Escalation)
                .join(Person, col(Person.id) == col(Escalation.person_id))
                .where(
                    Person.officer_id == message.recipient_user_id,
                    Escalation.officer_alerted_at == message.created_at,
                )
            )
        )
    for escalation in covered:
        if escalation.alert_failed_at is None:
            escalation.alert_failed_at = now
            session.add(escalation)


def queue_staff_reply(
    session: Session, user: User, chat_id: str, text: str, now: datetime
) -> Message:
    """The bot's answer in a staff member's linked Telegram chat."""
    row = Message(
        direction=Direction.outbound,
        channel=TELEGRAM,
        address=chat_id,
        kind=STAFF_REPLY_KIND,
        body=text,
        language=user.language,
        status=MessageStatus.queued,
        next_attempt_at=now,
        created_at=now,
        recipient_user_id=user.id,
    )
    session.add(row)
    return row
