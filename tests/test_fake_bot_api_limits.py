"""The fake Bot API's rate limits, which the dispatch benchmark relies on: beyond 30 a
second overall or 1 a second to one chat, Telegram's 429 with `retry_after`.

The limiter's clock is moved by hand, so what a burst gets does not depend on how fast
this machine sends it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.telegram_api import TOKEN, FakeBotApi
from tests.fakes.telegram_fixtures import telegram_api  # noqa: F401  (fixture)


class HandClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limited(telegram_api: FakeBotApi) -> Iterator[tuple[FakeBotApi, HandClock]]:  # noqa: F811
    telegram_api.reset()
    clock = HandClock()
    telegram_api.clock = clock
    telegram_api.enforce_limits(overall=30, per_chat=1)
    yield telegram_api, clock
    telegram_api.reset()


def _send(client: httpx.Client, fake: FakeBotApi, chat: int) -> int:
    url = f"{fake.base_url}{TOKEN}/sendMessage"
    response = client.post(url, json={"chat_id": chat, "text": "hi"})
    if response.status_code == 429:
        assert response.json()["parameters"]["retry_after"] >= 1
    return response.status_code


def test_one_chat_gets_one_message_a_second(limited: tuple[FakeBotApi, HandClock]) -> None:
    fake, clock = limited
    with httpx.Client() as client:
        assert [_send(client, fake, 5), _send(client, fake, 5)] == [200, 429]
        clock.now += 0.5
        assert _send(client, fake, 5) == 429
        clock.now += 0.5
        assert _send(client, fake, 5) == 200
    assert (fake.refused, fake.refused_for_chat) == (2, 2)


def test_a_burst_gets_a_seconds_worth_then_what_refills(
    limited: tuple[FakeBotApi, HandClock],
) -> None:
    fake, clock = limited
    with httpx.Client() as client:
        burst = [_send(client, fake, 1000 + n) for n in range(40)]
        clock.now += 0.1  # three messages' worth at 30 a second
        after = [_send(client, fake, 2000 + n) for n in range(5)]
    assert burst == [200] * 30 + [429] * 10
    assert after == [200] * 3 + [429] * 2
    assert (fake.refused, fake.refused_for_chat) == (12, 0)


def test_a_call_refused_overall_costs_its_chat_nothing(
    limited: tuple[FakeBotApi, HandClock],
) -> None:
    fake, clock = limited
    with httpx.Client() as client:
        for n in range(30):
            assert _send(client, fake, 1000 + n) == 200
        assert _send(client, fake, 5) == 429  # over the overall limit, not the chat's
        clock.now += 0.04  # a little over one message's worth
        assert _send(client, fake, 5) == 200  # the chat's token was given back
        assert _send(client, fake, 5) == 429  # and now it is spent
    assert (fake.refused, fake.refused_for_chat) == (2, 1)
