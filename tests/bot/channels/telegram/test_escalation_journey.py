"""The officer's half of the crisis journey (issue 9's "done when"), through the real app
with the worker embedded: a person writes crisis words on Telegram → the officer gets an
e-mail (a real SMTP server on loopback) and a Telegram alert (the fake Bot API) that name
no one → the officer finds it in the queue and acknowledges it → writes to the person →
the person answers in their own words → the answer is on the timeline and in the queue as
a message for the officer → the officer resolves the crisis with an outcome."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bot.app import create_app
from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.services.users import create_user
from tests.bot.channels.email.smtp_server import SmtpServer
from tests.bot.channels.telegram.updates import post_update, update
from tests.factories import make_enrolled
from tests.fakes.telegram_api import FakeBotApi

PERSON_CHAT = 6660001
OFFICER_CHAT = 6660002
PASSWORD = "correct horse battery staple"
NAME = "Gulnara Secretname"
CRISIS = "я больше не хочу жить"


def _wait(check: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _texts_to(fake: FakeBotApi, chat: int) -> list[str]:
    return [
        str(call.params.get("text"))
        for call in fake.calls_to("sendMessage")
        if str(call.params.get("chat_id")) == str(chat)
    ]


def test_crisis_on_telegram_reaches_the_officer_by_mail_and_telegram(
    tg_settings: Settings, engine: Engine, fake: FakeBotApi
) -> None:
    with session_scope(engine) as session:
        officer = create_user(
            session, email="officer@example.org", password=PASSWORD, role="officer"
        )
        officer.language = "en"
        session.flush()
        officer_id = officer.id
    person, _ = make_enrolled(
        engine, channel="telegram", address=str(PERSON_CHAT), display_name=NAME,
        officer_id=officer_id, language="ru",
    )  # fmt: skip

    with SmtpServer() as smtp:
        settings = tg_settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_from": "alerts@jolserik.example",
                "smtp_starttls": False,
            }
        )
        with TestClient(create_app(settings, with_worker=True)) as client:
            token = client.post(
                "/api/v1/auth/token", data={"username": "officer@example.org", "password": PASSWORD}
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            code = client.post("/api/v1/me/telegram-link", headers=headers).json()["code"]
            post_update(client, update("text", chat_id=OFFICER_CHAT, text=f"/start {code}"))
            _wait(lambda: len(_texts_to(fake, OFFICER_CHAT)) == 1, "the link confirmation")

            assert (
                post_update(client, update("text", chat_id=PERSON_CHAT, text=CRISIS)).status_code
                == 200
            )
            _wait(lambda: len(smtp.received) == 1, "the alert e-mail")
            _wait(lambda: len(_texts_to(fake, OFFICER_CHAT)) == 2, "the Telegram alert")

            [mail] = smtp.received
            telegram_alert = _texts_to(fake, OFFICER_CHAT)[1]
            assert mail.message["Subject"] == "A case needs your attention (critical, 1 h)"
            for text in (mail.message.as_string() + mail.body, telegram_alert):
                assert "Gulnara" not in text and "жить" not in text
            assert telegram_alert.startswith("A case needs your attention (critical, 1 h)")
            # The person got the safety message, not anything meant for staff.
            _wait(
                lambda: any("112" in text for text in _texts_to(fake, PERSON_CHAT)),
                "the person's safety message",
            )

            _wait(
                lambda: (
                    client.get("/api/v1/escalations", headers=headers).json()["items"][0][
                        "alert_status"
                    ]
                    == "sent"
                ),
                "the alert marked sent",
            )
            [item] = client.get("/api/v1/escalations", headers=headers).json()["items"]
            assert (item["person_id"], item["reason"], item["severity"]) == (
                person.id,
                "crisis",
                "critical",
            )
            assert item["message_id"] is not None
            assert 3000 < item["seconds_left"] <= 3600
            assert f"/api/v1/escalations/{item['id']}" in telegram_alert

            base = f"/api/v1/escalations/{item['id']}"
            assert client.post(f"{base}/acknowledge", headers=headers).status_code == 200

            # The officer writes; the person sees it marked as the officer's.
            written = client.post(
                f"/api/v1/persons/{person.id}/messages",
                json={"text": "Я видел ваше сообщение. Можете позвонить мне сегодня?"},
                headers=headers,
            )
            assert written.status_code == 201, written.text
            _wait(
                lambda: any(
                    text.startswith("Ваш куратор: Я видел ваше сообщение")
                    for text in _texts_to(fake, PERSON_CHAT)
                ),
                "the officer's message on the person's phone",
            )
            before_reply = len(_texts_to(fake, PERSON_CHAT))

            # The person answers in their own words, with a typo, no button.
            reply = "ок, позвоню после обеда, спасиба"
            post_update(client, update("text", chat_id=PERSON_CHAT, text=reply))
            _wait(
                lambda: any(
                    "передал" in text for text in _texts_to(fake, PERSON_CHAT)[before_reply:]
                ),
                "the bot saying it was passed on",
            )
            timeline = client.get(f"/api/v1/persons/{person.id}/timeline", headers=headers).json()[
                "items"
            ]
            [answer] = [i for i in timeline if i["type"] == "message" and i["body"] == reply]
            assert answer["direction"] == "in"
            [passed] = client.get(
                "/api/v1/escalations",
                params={"reason": "message_for_officer"},
                headers=headers,
            ).json()["items"]
            assert (passed["severity"], passed["status"]) == ("medium", "open")
            assert passed["message_id"] == answer["id"]
            # Medium: in the officer's daily digest (already sent if the worker's digest
            # sweep has run since, as it does past the digest hour).
            assert passed["alert_status"] in ("digest_pending", "in_digest")
            officer_messages = [
                i for i in timeline if i["type"] == "message" and i["kind"] == "officer"
            ]
            assert [m["sender_user_id"] for m in officer_messages] == [officer_id]

            resolved = client.post(
                f"{base}/resolve",
                json={"outcome": "contacted_safe", "note": "Called back, safe."},
                headers=headers,
            )
            assert resolved.status_code == 200
            assert resolved.json()["status"] == "resolved"
            assert resolved.json()["outcome"] == "contacted_safe"
