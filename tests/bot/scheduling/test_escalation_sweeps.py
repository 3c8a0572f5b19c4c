"""The staff-alert sweeps driven by a controlled clock: deadlines that pass (supervisor,
or every admin), the daily digest at the officer's local hour, and what is queued at once
for high and critical escalations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import AuditEvent, Escalation, Message, User
from bot.models.enums import EscalationStatus, MessageStatus
from bot.pipeline.escalations import open_escalation
from bot.scheduling.escalations import mark_overdue_escalations, send_staff_digests
from bot.services.users import create_user
from tests.factories import make_person

# 08:00 in Almaty (UTC+5): an hour before the default digest hour.
T0 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
NAME = "Gulnara Secretname"


@pytest.fixture
def mail_settings(settings: Settings) -> Settings:
    # Alerts are only queued here (no dispatcher runs): e-mail just has to be configured.
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_from": "alerts@jolserik.example"}
    )


def _user(engine: Engine, email: str, role: str = "officer", **fields: Any) -> int:
    with session_scope(engine) as session:
        user = create_user(session, email=email, password="x" * 12, role=role)
        for name, value in fields.items():
            setattr(user, name, value)
        session.add(user)
        session.flush()
        assert user.id is not None
        return user.id


def _escalate(
    engine: Engine, settings: Settings, person_id: int, severity: str, now: datetime
) -> int:
    with session_scope(engine) as session:
        escalation = open_escalation(
            session, settings, person_id=person_id, reason="crisis", severity=severity, now=now
        )
        session.flush()
        assert escalation.id is not None
        return escalation.id


def _staff_messages(engine: Engine) -> list[Message]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Message)
                .where(col(Message.recipient_user_id).is_not(None))
                .order_by(col(Message.id))
            )
        )


def _escalation(engine: Engine, escalation_id: int) -> Escalation:
    with Session(engine) as session:
        row = session.get(Escalation, escalation_id)
        assert row is not None
        return row


def test_a_critical_escalation_alerts_its_officer_in_the_same_transaction(
    engine: Engine, mail_settings: Settings
) -> None:
    officer = _user(engine, "officer@example.org", language="en")
    person = make_person(engine, display_name=NAME, officer_id=officer)
    escalation_id = _escalate(engine, mail_settings, person.id, "critical", T0)  # type: ignore[arg-type]

    [alert] = _staff_messages(engine)
    assert (alert.channel, alert.address, alert.kind) == (
        "email",
        "officer@example.org",
        "staff_alert",
    )
    assert alert.status == MessageStatus.queued
    assert alert.person_id is None
    assert alert.escalation_id == escalation_id
    assert alert.body.splitlines() == [
        "A case needs your attention (critical, 1 h)",
        f"http://127.0.0.1:8000/api/v1/escalations/{escalation_id}",
    ]
    assert "Gulnara" not in alert.body
    assert _escalation(engine, escalation_id).officer_alerted_at == T0


def test_a_missed_deadline_goes_overdue_and_alerts_the_supervisor_once(
    engine: Engine, mail_settings: Settings
) -> None:
    supervisor = _user(engine, "sup@example.org", "supervisor", language="kk")
    officer = _user(engine, "officer@example.org", supervisor_id=supervisor)
    person = make_person(engine, display_name=NAME, officer_id=officer)
    critical = _escalate(engine, mail_settings, person.id, "critical", T0)  # type: ignore[arg-type]
    acknowledged = _escalate(engine, mail_settings, person.id, "critical", T0)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        row = session.get(Escalation, acknowledged)
        row.status = EscalationStatus.acknowledged  # type: ignore[union-attr]
    alerts_before = len(_staff_messages(engine))

    early = mark_overdue_escalations(engine, mail_settings, T0 + timedelta(minutes=59))
    assert early.processed == 0
    late = T0 + timedelta(minutes=61)
    assert mark_overdue_escalations(engine, mail_settings, late).processed == 1
    assert mark_overdue_escalations(engine, mail_settings, late + timedelta(hours=1)).processed == 0

    row = _escalation(engine, critical)
    assert row.status == EscalationStatus.overdue
    assert (row.overdue_at, row.supervisor_alerted_at) == (late, late)
    assert _escalation(engine, acknowledged).status == EscalationStatus.acknowledged
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "escalation.overdue"))
        assert [(e.entity_id, e.actor_kind) for e in events] == [(critical, "system")]
    [alert] = _staff_messages(engine)[alerts_before:]
    assert alert.recipient_user_id == supervisor
    assert alert.address == "sup@example.org"
    assert alert.escalation_id == critical
    assert alert.language == "kk"
    assert alert.body.endswith(f"/api/v1/escalations/{critical}")
    assert "Gulnara" not in alert.body


def test_without_a_supervisor_every_active_admin_is_alerted(
    engine: Engine, mail_settings: Settings
) -> None:
    first = _user(engine, "admin1@example.org", "admin")
    second = _user(engine, "admin2@example.org", "admin")
    _user(engine, "gone@example.org", "admin", is_active=False)
    officer = _user(engine, "officer@example.org")
    person = make_person(engine, officer_id=officer)
    escalation_id = _escalate(engine, mail_settings, person.id, "high", T0)  # type: ignore[arg-type]

    mark_overdue_escalations(engine, mail_settings, T0 + timedelta(hours=5))
    overdue = [m for m in _staff_messages(engine) if m.recipient_user_id != officer]
    assert sorted(m.recipient_user_id for m in overdue) == [first, second]  # type: ignore[type-var]
    assert {m.escalation_id for m in overdue} == {escalation_id}


def test_no_channel_at_all_shows_the_alert_failed(engine: Engine, mail_settings: Settings) -> None:
    officer = _user(engine, "quiet@example.org", alert_email=False)
    person = make_person(engine, officer_id=officer)
    escalation_id = _escalate(engine, mail_settings, person.id, "critical", T0)  # type: ignore[arg-type]
    assert _staff_messages(engine) == []
    assert _escalation(engine, escalation_id).alert_failed_at == T0


def test_one_digest_a_day_at_the_officer_s_local_hour(
    engine: Engine, mail_settings: Settings
) -> None:
    officer = _user(engine, "officer@example.org", language="ru")  # Asia/Almaty, hour 9
    early_bird = _user(engine, "early@example.org", digest_hour=7)
    person = make_person(engine, display_name=NAME, officer_id=officer)
    other = make_person(engine, officer_id=early_bird)
    medium = _escalate(engine, mail_settings, person.id, "medium", T0)  # type: ignore[arg-type]
    low = _escalate(engine, mail_settings, person.id, "low", T0)  # type: ignore[arg-type]
    _escalate(engine, mail_settings, other.id, "low", T0)  # type: ignore[arg-type]
    assert _staff_messages(engine) == []  # medium and low wait for the digest

    # 08:00 local: the early bird's hour (7) has passed, the officer's (9) not yet.
    send_staff_digests(engine, mail_settings, T0)
    [early] = _staff_messages(engine)
    assert early.recipient_user_id == early_bird

    nine = T0 + timedelta(hours=1)  # 09:00 in Almaty
    send_staff_digests(engine, mail_settings, nine)
    [digest] = _staff_messages(engine)[1:]
    assert digest.kind == "staff_digest"
    assert digest.recipient_user_id == officer
    assert digest.body.splitlines()[0] == "Обращений ждут вашего внимания: 2"
    assert digest.body.splitlines()[1] == "http://127.0.0.1:8000/api/v1/escalations"
    assert "Gulnara" not in digest.body
    assert _escalation(engine, medium).officer_alerted_at == nine
    assert _escalation(engine, low).officer_alerted_at == nine
    with Session(engine) as session:
        assert session.get(User, officer).digest_sent_at == nine  # type: ignore[union-attr]

    # A new one the same day waits for tomorrow's digest.
    _escalate(engine, mail_settings, person.id, "medium", nine + timedelta(hours=2))  # type: ignore[arg-type]
    send_staff_digests(engine, mail_settings, nine + timedelta(hours=3))
    assert len(_staff_messages(engine)) == 2
    send_staff_digests(engine, mail_settings, nine + timedelta(hours=23, minutes=59))
    assert len(_staff_messages(engine)) == 2
    send_staff_digests(engine, mail_settings, nine + timedelta(days=1))
    assert len(_staff_messages(engine)) == 3
    assert _staff_messages(engine)[-1].body.startswith("Обращений ждут вашего внимания: 1")


def test_the_worker_runs_both_sweeps(engine: Engine, mail_settings: Settings) -> None:
    from bot.delivery.lanes import DispatcherLanes
    from bot.scheduling.worker import Worker

    worker = Worker(mail_settings, engine, DispatcherLanes(engine, {}, settings=mail_settings))
    assert {"mark_overdue_escalations", "send_staff_digests"} <= set(worker.sweeps())
