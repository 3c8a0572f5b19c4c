"""The SMS pacer against a Twilio that refuses (429, code 20429) anything beyond the
sender's throughput (a second's worth of segments saved up at most): every text goes out
once, two-segment texts take two slots, and none is refused."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from bot.app import create_app
from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.models import Message
from bot.models.enums import Direction, MessageStatus
from tests.fakes.twilio_api import FakeTwilioApi, segments

RATE = 10.0  # segments a second: the long code's 1, sped up for the test
LONG = "Напоминаем: завтра в 10:00 встреча по адресу, который вам прислали. Ответьте 1."


def test_paced_texts_are_never_refused(
    sms_settings: Settings, twilio_api: FakeTwilioApi, engine: Engine
) -> None:
    bodies = [LONG if n % 4 == 0 else f"Напоминание {n}" for n in range(24)]
    assert segments(LONG) == 2
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(Message),
            [
                {"direction": Direction.outbound, "channel": "sms", "address": f"+7701555{n:04d}",
                 "kind": "text", "body": body, "status": MessageStatus.queued, "attempts": 0,
                 "next_attempt_at": now, "created_at": now}
                for n, body in enumerate(bodies)
            ],
        )  # fmt: skip
    twilio_api.enforce_throughput(RATE)
    paced = sms_settings.model_copy(update={"sms_messages_per_second": RATE})

    with TestClient(create_app(paced, with_worker=True)):
        deadline = time.monotonic() + 20
        while len(twilio_api.sent()) < len(bodies) and time.monotonic() < deadline:
            time.sleep(0.05)

    sent = twilio_api.sent()
    assert sorted(call.form["Body"] for call in sent) == sorted(bodies)
    assert twilio_api.refused == 0
    total = sum(segments(body) for body in bodies)
    span = sent[-1].at - sent[0].at
    assert span >= (total - segments(bodies[-1]) - 1) / RATE * 0.9  # paced, not a burst
