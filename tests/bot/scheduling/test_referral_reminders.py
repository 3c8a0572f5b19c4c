"""A referral nobody accepts: the partner is reminded once after the configured days, and
as long again later the officer gets a low escalation, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import Escalation, Message, Referral, WebhookDelivery
from bot.models.enums import ReferralStatus
from bot.scheduling.referral_reminders import remind_unaccepted_referrals
from tests.partners import T0, make_partnered

DAY = timedelta(days=1)


def _reminders(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [d.event for d in session.exec(select(WebhookDelivery))]


def _escalations(engine: Engine) -> list[Escalation]:
    with Session(engine) as session:
        return list(session.exec(select(Escalation)))


def test_the_partner_is_reminded_once_then_the_officer_told_once(
    engine: Engine, partner_settings: Settings
) -> None:
    ids = make_partnered(engine, webhook_url="http://127.0.0.1:9/hook")

    remind_unaccepted_referrals(engine, partner_settings, T0 + 3 * DAY - timedelta(minutes=1))
    assert _reminders(engine) == []

    remind_unaccepted_referrals(engine, partner_settings, T0 + 3 * DAY)
    remind_unaccepted_referrals(engine, partner_settings, T0 + 4 * DAY)
    assert _reminders(engine) == ["referral.reminder"]
    with Session(engine) as session:
        mails = session.exec(select(Message).where(Message.channel == "email")).all()
        assert len(mails) == 1
        referral = session.get(Referral, ids.referral_id)
        assert referral is not None and referral.partner_reminded_at == T0 + 3 * DAY
    assert _escalations(engine) == []

    remind_unaccepted_referrals(engine, partner_settings, T0 + 6 * DAY)
    remind_unaccepted_referrals(engine, partner_settings, T0 + 9 * DAY)
    [escalation] = _escalations(engine)
    assert escalation.person_id == ids.person_id
    assert escalation.reason == "referral_not_accepted" and escalation.severity == "low"
    assert "not accepted after 6 days" in escalation.detail
    assert _reminders(engine) == ["referral.reminder"]


def test_an_accepted_referral_is_left_alone(engine: Engine, partner_settings: Settings) -> None:
    make_partnered(engine, webhook_url="http://127.0.0.1:9/hook", status=ReferralStatus.accepted)
    remind_unaccepted_referrals(engine, partner_settings, T0 + 30 * DAY)
    assert _reminders(engine) == [] and _escalations(engine) == []


def test_the_wait_is_configurable(engine: Engine, partner_settings: Settings) -> None:
    make_partnered(engine, webhook_url="http://127.0.0.1:9/hook")
    one_day = partner_settings.model_copy(update={"referral_accept_days": 1})
    remind_unaccepted_referrals(engine, one_day, T0 + DAY)
    remind_unaccepted_referrals(engine, one_day, T0 + 2 * DAY)
    assert _reminders(engine) == ["referral.reminder"]
    assert len(_escalations(engine)) == 1


def test_accepting_after_the_reminder_spares_the_officer(
    engine: Engine, partner_settings: Settings
) -> None:
    ids = make_partnered(engine, webhook_url=None)
    remind_unaccepted_referrals(engine, partner_settings, T0 + 3 * DAY)
    with session_scope(engine) as session:
        referral = session.get(Referral, ids.referral_id)
        assert referral is not None
        referral.status = ReferralStatus.accepted
    remind_unaccepted_referrals(engine, partner_settings, T0 + 7 * DAY)
    assert _escalations(engine) == []
