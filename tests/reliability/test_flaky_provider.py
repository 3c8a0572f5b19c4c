"""The Bot API failing under a worker: 30 % of calls answered 502, some more hanging past
the client's time-out, a few 429s with `retry_after`. Every message is still delivered, and
after each 429 nothing new is sent until its `retry_after` has passed."""

from __future__ import annotations

import random
import signal

import pytest
from sqlalchemy.engine import Engine

from bot.core.settings import Settings
from tests.fakes.telegram_api import FakeBotApi, Scripted, hang, ok, retry_after, server_error
from tests.reliability.workers import (
    queue_messages,
    sqlite_pass_only,
    start_worker,
    unsent,
    wait,
)

MESSAGES = 1000
SCRIPTED = 1600
PAUSE = 2  # seconds asked by each 429
IN_FLIGHT = 0.5  # calls already on their way when a 429 came back


def _answers() -> list[Scripted]:
    chance = random.Random(13)
    answers: list[Scripted] = []
    for n in range(SCRIPTED):
        roll = chance.random()
        if n in (200, 700, 1100):
            answers.append(retry_after(PAUSE))
        elif roll < 0.30:
            answers.append(server_error())
        elif roll < 0.33:
            answers.append(hang(1.5))
        else:
            answers.append(ok())
    return answers


@pytest.mark.slow
def test_every_message_arrives_and_flood_control_is_obeyed(
    settings: Settings, engine: Engine, fake: FakeBotApi
) -> None:
    sqlite_pass_only(engine)
    answers = _answers()
    fake.script("sendMessage", *answers)
    queue_messages(engine, MESSAGES)
    worker = start_worker(
        settings, fake, TELEGRAM_REQUEST_TIMEOUT_SECONDS="0.5", TELEGRAM_MESSAGES_PER_SECOND="300"
    )
    try:
        wait(lambda: unsent(engine) == 0, "every message marked sent", 240)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    calls = fake.calls_to("sendMessage")

    delivered = {
        str(call.params.get("text"))
        for call, answer in zip(calls, [*answers, *[ok()] * len(calls)], strict=False)
        if answer.status in (0, 200) and not answer.delay
    }
    assert delivered == {f"reminder {n}" for n in range(MESSAGES)}  # each answered OK once
    floods = [calls[i].at for i, answer in enumerate(answers[: len(calls)]) if answer.status == 429]
    assert len(floods) == 3
    for at in floods:
        early = [c for c in calls if at + IN_FLIGHT < c.at < at + PAUSE - 0.05]
        assert early == [], f"{len(early)} calls during a {PAUSE} s flood-control pause"
