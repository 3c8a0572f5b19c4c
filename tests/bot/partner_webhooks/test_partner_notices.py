"""What a partner is sent about a referral: an e-mail in its language with a link and no
personal data, and a webhook event only when one is set up and switched on."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import Message, Organisation, Referral, WebhookDelivery
from bot.services.partner_notices import CREATED, REMINDER, notify_partner
from tests.partners import T0, make_partnered


def _notify(engine: Engine, settings: Settings, referral_id: int, event: str) -> list[str]:
    with session_scope(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        return notify_partner(session, settings, referral, event, now=T0)


def test_the_mail_names_no_one_and_links_to_the_referral(
    engine: Engine, partner_settings: Settings
) -> None:
    ids = make_partnered(engine, webhook_url=None)
    assert _notify(engine, partner_settings, ids.referral_id, CREATED) == ["email"]
    with Session(engine) as session:
        [mail] = session.exec(select(Message)).all()
        assert session.exec(select(WebhookDelivery)).all() == []
    assert mail.channel == "email" and mail.address == "intake@partner.example"
    assert mail.person_id is None and mail.recipient_user_id is None
    # The organisation's first language is Kazakh: subject line, then the body and the link.
    subject, _body, link = mail.body.split("\n")
    assert mail.language == "kk" and "жолдама" in subject
    assert link == f"http://127.0.0.1:8000/panel/referrals/{ids.referral_id}"
    for secret_word in ("Gulnara", "Secretname", "+7701", "construction", "employment"):
        assert secret_word not in mail.body


def test_a_reminder_has_its_own_words(engine: Engine, partner_settings: Settings) -> None:
    ids = make_partnered(engine, webhook_url=None)
    with session_scope(engine) as session:
        organisation = session.get(Organisation, ids.organisation_id)
        assert organisation is not None
        organisation.languages = ["en"]
    _notify(engine, partner_settings, ids.referral_id, REMINDER)
    with Session(engine) as session:
        [mail] = session.exec(select(Message)).all()
    assert mail.body.startswith("Jolserik: a referral is still waiting\n")


def test_without_smtp_only_the_webhook_goes(engine: Engine, settings: Settings) -> None:
    ids = make_partnered(engine, webhook_url="http://127.0.0.1:9/hook")
    assert _notify(engine, settings, ids.referral_id, CREATED) == ["webhook"]


def test_an_inactive_partner_is_told_nothing(engine: Engine, partner_settings: Settings) -> None:
    ids = make_partnered(engine, webhook_url="http://127.0.0.1:9/hook")
    with session_scope(engine) as session:
        organisation = session.get(Organisation, ids.organisation_id)
        assert organisation is not None
        organisation.is_active = False
    assert _notify(engine, partner_settings, ids.referral_id, CREATED) == []
    with Session(engine) as session:
        assert session.exec(select(Message)).all() == []
        assert session.exec(select(WebhookDelivery)).all() == []


def test_a_webhook_without_a_secret_is_not_posted(
    engine: Engine, partner_settings: Settings
) -> None:
    ids = make_partnered(engine, webhook_url="http://127.0.0.1:9/hook", secret=None)
    assert _notify(engine, partner_settings, ids.referral_id, CREATED) == ["email"]
