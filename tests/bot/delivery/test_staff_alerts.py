"""Staff alerts through the real dispatcher: an e-mail reaches a real SMTP server on
loopback naming no one, and an alert that fails on every channel shows on its escalation
(never rerouted like a person's message)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.channels.base import PermanentSendError
from bot.channels.email.adapter import EmailChannel
from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.delivery.outbox import Dispatcher, Lane
from bot.models import Escalation, Message
from bot.models.enums import MessageStatus
from bot.pipeline.escalations import open_escalation
from bot.scheduling.escalations import send_staff_digests
from bot.services.escalations import alert_statuses
from bot.services.users import create_user
from tests.bot.channels.email.smtp_server import SmtpServer
from tests.channels import ScriptedChannel
from tests.factories import make_enrolled

NAME = "Gulnara Secretname"
WORDS = "I want to end my life"


def _officer(engine: Engine, **fields: object) -> int:
    with session_scope(engine) as session:
        user = create_user(session, email="officer@example.org", password="x" * 12, role="officer")
        for name, value in fields.items():
            setattr(user, name, value)
        session.flush()
        assert user.id is not None
        return user.id


def _critical(engine: Engine, settings: Settings, person_id: int) -> int:
    with session_scope(engine) as session:
        escalation = open_escalation(
            session, settings, person_id=person_id, reason="crisis", severity="critical",
            detail=WORDS, now=utcnow(),
        )  # fmt: skip
        session.flush()
        assert escalation.id is not None
        return escalation.id


async def test_an_alert_email_reaches_the_smtp_server_and_names_no_one(
    engine: Engine, settings: Settings
) -> None:
    with SmtpServer() as server:
        mail_settings = settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": server.port,
                "smtp_from": "alerts@jolserik.example",
                "smtp_starttls": False,
                "public_base_url": "https://jolserik.example",
            }
        )
        officer = _officer(engine, language="en")
        person, _ = make_enrolled(
            engine, display_name=NAME, officer_id=officer, phone_e164="+77011234567"
        )
        escalation_id = _critical(engine, mail_settings, person.id)  # type: ignore[arg-type]

        channels = {"email": EmailChannel(mail_settings)}
        summary = await Dispatcher(engine, channels, settings=mail_settings).run_once()  # type: ignore[dict-item]
        assert summary.sent == 1

    [mail] = server.received
    assert mail.rcpt_tos == ["officer@example.org"]
    assert mail.message["Subject"] == "A case needs your attention (critical, 1 h)"
    assert f"https://jolserik.example/api/v1/escalations/{escalation_id}" in mail.body
    everything = mail.message.as_string() + mail.body
    for secret in ("Gulnara", "Secretname", "7011234567", "end my life"):
        assert secret not in everything
    with Session(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None
        assert alert_statuses(session, [escalation]) == {escalation_id: "sent"}


async def test_an_alert_failed_on_every_channel_shows_on_the_escalation(
    engine: Engine, settings: Settings
) -> None:
    both = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_from": "a@example.org", "telegram_bot_token": "1:x"}
    )
    officer = _officer(engine, telegram_chat_id="5551")
    person, _ = make_enrolled(engine, officer_id=officer)
    escalation_id = _critical(engine, both, person.id)  # type: ignore[arg-type]
    email, telegram = ScriptedChannel("email"), ScriptedChannel("telegram")
    email.fail_next(PermanentSendError("email: refused 550"))
    telegram.fail_next(PermanentSendError("telegram: chat not found", identity_unreachable=True))
    dispatcher = Dispatcher(engine, {"email": email}, settings=both, lane=Lane(("email",)))  # type: ignore[dict-item]

    await dispatcher.run_once()  # e-mail fails; Telegram still queued
    assert _escalation(engine, escalation_id).alert_failed_at is None
    await Dispatcher(engine, {"telegram": telegram}, settings=both).run_once()  # type: ignore[dict-item]

    escalation = _escalation(engine, escalation_id)
    assert escalation.alert_failed_at is not None
    with Session(engine) as session:
        staff = session.exec(select(Message).where(col(Message.recipient_user_id) == officer)).all()
        assert {m.status for m in staff} == {MessageStatus.failed}
        # Nothing was rerouted to a person, and no "unreachable" escalation was opened.
        assert session.exec(select(Message).where(col(Message.person_id) == person.id)).all() == []
        assert len(session.exec(select(Escalation)).all()) == 1
        assert alert_statuses(session, [escalation]) == {escalation_id: "failed"}


async def test_a_failed_digest_marks_the_escalations_it_covered(
    engine: Engine, settings: Settings
) -> None:
    mail = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_from": "a@example.org"})
    officer = _officer(engine, digest_hour=0, timezone="UTC")
    person, _ = make_enrolled(engine, officer_id=officer)
    now = utcnow()
    with session_scope(engine) as session:
        for severity in ("medium", "low"):
            open_escalation(
                session, mail, person_id=person.id, reason="missed_checkins",  # type: ignore[arg-type]
                severity=severity, now=now - timedelta(minutes=1),
            )  # fmt: skip
    send_staff_digests(engine, mail, now)
    email = ScriptedChannel("email")
    email.fail_next(PermanentSendError("email: refused 550"))
    await Dispatcher(engine, {"email": email}, settings=mail).run_once()  # type: ignore[dict-item]
    with Session(engine) as session:
        rows = session.exec(select(Escalation)).all()
        assert len(rows) == 2
        assert all(row.alert_failed_at is not None for row in rows)


def _escalation(engine: Engine, escalation_id: int) -> Escalation:
    with Session(engine) as session:
        row = session.get(Escalation, escalation_id)
        assert row is not None
        return row


async def test_a_critical_case_past_its_deadline_reaches_the_supervisor_by_mail(
    engine: Engine, settings: Settings
) -> None:
    from bot.delivery.lanes import DispatcherLanes
    from bot.scheduling.worker import Worker

    with session_scope(engine) as session:
        supervisor = create_user(
            session, email="sup@example.org", password="x" * 12, role="supervisor"
        )
        supervisor.language = "en"
        session.flush()
        officer = create_user(
            session, email="officer@example.org", password="x" * 12, role="officer",
            supervisor_id=supervisor.id,
        )  # fmt: skip
        session.flush()
        officer_id = officer.id
    person, _ = make_enrolled(engine, display_name=NAME, officer_id=officer_id)
    with SmtpServer() as server:
        mail_settings = settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": server.port,
                "smtp_from": "alerts@jolserik.example",
                "smtp_starttls": False,
            }
        )
        escalation_id = _critical(engine, mail_settings, person.id)  # type: ignore[arg-type]
        lanes = DispatcherLanes(
            engine, {"email": EmailChannel(mail_settings)}, settings=mail_settings
        )  # type: ignore[dict-item]
        await lanes.run_once()  # the officer's alert
        late = utcnow() + timedelta(hours=1, seconds=1)
        later = DispatcherLanes(
            engine,
            {"email": EmailChannel(mail_settings)},
            settings=mail_settings,
            clock=lambda: late,
        )  # type: ignore[dict-item]
        await Worker(mail_settings, engine, later, clock=lambda: late).run_sweeps_once()
        await later.run_once()

    assert [mail.rcpt_tos for mail in server.received] == [
        ["officer@example.org"],
        ["sup@example.org"],
    ]
    supervisor_mail = server.received[1]
    assert supervisor_mail.message["Subject"] == (
        "A case is past its deadline and needs your attention (critical)"
    )
    assert f"/api/v1/escalations/{escalation_id}" in supervisor_mail.body
    assert "Gulnara" not in supervisor_mail.message.as_string()
    escalation = _escalation(engine, escalation_id)
    assert escalation.status == "overdue"
    assert escalation.supervisor_alerted_at == late
