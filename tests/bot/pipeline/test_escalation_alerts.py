"""A crisis message through the real pipeline: the escalation points to the message that
caused it and, in the same transaction, the officer's alert is queued (naming no one)."""

from __future__ import annotations

import itertools

from sqlmodel import Session, col, select

from bot.alerts.queue import staff_addresses
from bot.core.db import session_scope
from bot.models import Escalation, Message, User
from bot.models.enums import Direction
from bot.pipeline.inbound import InboundMessage, process_inbound
from bot.services.users import create_user
from tests.factories import make_enrolled

_ids = itertools.count(1)


def test_a_crisis_message_escalates_with_its_message_id_and_alerts_the_officer(engine, settings):
    mail = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_from": "a@example.org"})
    with session_scope(engine) as session:
        officer = create_user(session, email="o@example.org", password="x" * 12, role="officer")
        session.flush()
        officer_id = officer.id
    _person, identity = make_enrolled(
        engine, language="ru", display_name="Gulnara", officer_id=officer_id
    )

    outcome = process_inbound(
        engine,
        InboundMessage(
            channel="simulator",
            address=identity.address,
            provider_message_id=f"sim-{next(_ids)}",
            text="я больше не хочу жить",
        ),
        settings=mail,
    )

    with Session(engine) as session:
        [escalation] = session.exec(select(Escalation)).all()
        inbound = session.exec(select(Message).where(Message.direction == Direction.inbound)).one()
        [alert] = session.exec(select(Message).where(col(Message.recipient_user_id) == officer_id))
    assert escalation.message_id == inbound.id == outcome.message_id
    assert escalation.officer_alerted_at is not None
    assert alert.escalation_id == escalation.id and alert.kind == "staff_alert"
    assert alert.person_id is None
    assert "Gulnara" not in alert.body and "жить" not in alert.body


def test_alerts_skip_channels_turned_off_or_without_an_address(settings):
    both = settings.model_copy(
        update={"smtp_host": "h", "smtp_from": "a@example.org", "telegram_bot_token": "1:x"}
    )
    user = User(email="u@example.org", password_hash="x", telegram_chat_id="42")
    assert staff_addresses(user, both) == [("email", "u@example.org"), ("telegram", "42")]
    user.alert_telegram = False
    assert staff_addresses(user, both) == [("email", "u@example.org")]
    user.alert_email, user.alert_telegram, user.telegram_chat_id = False, True, None
    assert staff_addresses(user, both) == []
    assert staff_addresses(User(email="u@example.org", password_hash="x"), settings) == []
