"""An officer in Chromium: a crisis written on Telegram shows on Today, the officer opens
the case, replies (the reply reaches the fake Bot API), sees the person's answer appear
without reloading, then acknowledges and resolves the escalation in place."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.db import session_scope
from bot.models import Escalation
from bot.services.users import create_user
from tests.bot.channels.telegram.updates import SECRET, SECRET_HEADER, update
from tests.factories import make_enrolled
from tests.fakes.telegram_api import FakeBotApi
from tests.panel.browser.conftest import LiveServer, sign_in, wait_for

PASSWORD = "correct horse battery staple"
PERSON_CHAT = 7770001


def _tell(live: LiveServer, text: str) -> None:
    response = httpx.post(
        f"{live.url}/webhooks/telegram",
        content=json.dumps(update("text", chat_id=PERSON_CHAT, text=text)).encode(),
        headers={"content-type": "application/json", SECRET_HEADER: SECRET},
    )
    assert response.status_code == 200


def _texts_to_person(fake: FakeBotApi) -> list[str]:
    return [
        str(call.params.get("text"))
        for call in fake.calls_to("sendMessage")
        if str(call.params.get("chat_id")) == str(PERSON_CHAT)
    ]


def test_crisis_to_resolution_in_the_browser(
    page: Any, live: LiveServer, engine: Engine, fake: FakeBotApi
) -> None:
    with session_scope(engine) as session:
        officer = create_user(
            session, email="officer@example.org", password=PASSWORD, role="officer"
        )
        officer.language = "en"
        officer.full_name = "Dana Officer"
        session.flush()
        officer_id = officer.id
    person, _ = make_enrolled(
        engine,
        channel="telegram",
        address=str(PERSON_CHAT),
        display_name="Gulnara Seitova",
        officer_id=officer_id,
        language="ru",
    )
    _tell(live, "я больше не хочу жить")
    wait_for(lambda: any("112" in t for t in _texts_to_person(fake)), "the safety message")

    sign_in(page, live, "officer@example.org", PASSWORD)
    assert page.url.endswith("/panel/")
    escalations = page.locator("#h-esc").locator("xpath=..")
    assert "critical" in escalations.inner_text()
    assert "left" in escalations.inner_text()  # time left before the deadline

    escalations.get_by_role("link", name="Gulnara Seitova").click()
    page.wait_for_url(f"**/panel/cases/{person.id}")
    assert "я больше не хочу жить" in page.locator("#chat").inner_text()

    page.fill("#reply-text", "Я видел ваше сообщение. Позвоню через 10 минут.")
    page.click("#reply-form button[type=submit]")
    wait_for(
        lambda: any(
            t.startswith("Ваш куратор: Я видел ваше сообщение") for t in _texts_to_person(fake)
        ),
        "the reply on the person's phone",
    )
    assert page.locator("#reply-text").input_value() == ""  # a fresh box
    page.locator(".bubble.officer").first.wait_for()

    # The person answers in their own words; it appears without a reload.
    _tell(live, "ок жду, спасиба")
    page.locator(".bubble.person", has_text="ок жду, спасиба").wait_for(timeout=15_000)

    row = page.locator("#escalations li.sev-critical")
    row.get_by_role("button", name="Acknowledge").click()
    page.locator("#escalations li.sev-critical", has_text="acknowledged").wait_for()
    row = page.locator("#escalations li.sev-critical")
    row.get_by_label("Outcome").select_option("contacted_safe")
    row.get_by_label("Note").fill("Позвонила, в безопасности, завтра встреча.")
    row.get_by_role("button", name="Resolve").click()
    page.locator("#escalations li.sev-critical", has_text="resolved").wait_for()

    with Session(engine) as session:
        [escalation] = session.exec(select(Escalation).where(Escalation.reason == "crisis")).all()
        assert escalation.status == "resolved" and escalation.outcome == "contacted_safe"
        assert escalation.acknowledged_by_id == officer_id


def test_a_form_without_its_csrf_token_is_refused(
    page: Any, live: LiveServer, engine: Engine
) -> None:
    with session_scope(engine) as session:
        officer = create_user(
            session, email="officer@example.org", password=PASSWORD, role="officer"
        )
        session.flush()
        officer_id = officer.id
    person, _ = make_enrolled(engine, display_name="Aidos", officer_id=officer_id)
    sign_in(page, live, "officer@example.org", PASSWORD)
    # The browser's own cookies, a well-formed form, but no token in it.
    response = page.request.post(
        f"{live.url}/panel/cases/{person.id}/notes", form={"body": "forged"}
    )
    assert response.status == 403
    page.goto(f"{live.url}/panel/cases/{person.id}")
    assert "forged" not in page.content()
