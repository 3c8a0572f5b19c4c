"""Telegram delivers an update at least once, and under load it may deliver it again
before the first delivery was answered. 1,000 updates from 1,000 people, each sent three
times by concurrent clients to `serve` with its worker (the webhook only stores; the
processor answers): exactly one stored event, one stored message and one reply each, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.core.settings import Settings
from bot.models import InboundEvent, Message
from bot.models.enums import Direction
from tests.bot.channels.telegram.updates import SECRET, SECRET_HEADER, update
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.telegram_fixtures import telegram_settings
from tests.live_server import LiveServer
from tests.reliability.workers import enrol_telegram, pending_events, wait

PEOPLE = 1000
COPIES = 3
CLIENTS = 32
FIRST_CHAT = 880_000_000


@pytest.mark.slow
def test_each_update_is_stored_and_answered_once(
    settings: Settings, engine: Engine, fake: FakeBotApi
) -> None:
    enrol_telegram(engine, PEOPLE, FIRST_CHAT)
    bodies = [
        json.dumps(update("text", chat_id=FIRST_CHAT + n, text="привет, как дела")).encode()
        for n in range(PEOPLE)
    ]
    deliveries = [body for body in bodies for _ in range(COPIES)]
    random.Random(7).shuffle(deliveries)
    headers = {"content-type": "application/json", SECRET_HEADER: SECRET}

    served = telegram_settings(settings, fake).model_copy(update={"inbound_processing": "worker"})
    with LiveServer(served, with_worker=True) as live:
        with httpx.Client(
            base_url=live.url, timeout=60, limits=httpx.Limits(max_connections=CLIENTS)
        ) as client:

            def deliver(body: bytes) -> int:
                return client.post("/webhooks/telegram", content=body, headers=headers).status_code

            with ThreadPoolExecutor(CLIENTS) as pool:
                statuses = list(pool.map(deliver, deliveries))
        wait(lambda: pending_events(engine) == 0, "every stored event processed", 120)

    assert statuses.count(200) == len(deliveries), {s: statuses.count(s) for s in set(statuses)}
    with engine.connect() as conn:
        inbound = dict(
            conn.execute(
                select(Message.address, func.count())
                .where(Message.direction == Direction.inbound, Message.channel == "telegram")
                .group_by(Message.address)
            ).all()
        )
        replies = dict(
            conn.execute(
                select(Message.address, func.count())
                .where(Message.direction == Direction.outbound, Message.channel == "telegram")
                .group_by(Message.address)
            ).all()
        )
        events = conn.execute(select(func.count()).select_from(InboundEvent)).scalar_one()
    assert events == PEOPLE
    assert len(inbound) == PEOPLE and set(inbound.values()) == {1}
    assert len(replies) == PEOPLE and set(replies.values()) == {1}
