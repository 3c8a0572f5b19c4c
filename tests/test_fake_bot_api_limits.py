"""The fake Bot API's rate limits, which the dispatch benchmark relies on: beyond 30 a
second overall or 1 a second to one chat, Telegram's 429 with `retry_after`."""

from __future__ import annotations

import time

import httpx

from tests.fakes.telegram_api import TOKEN, FakeBotApi
from tests.fakes.telegram_fixtures import telegram_api  # noqa: F401  (fixture)


def _send(client: httpx.Client, fake: FakeBotApi, chat: int) -> int:
    url = f"{fake.base_url}{TOKEN}/sendMessage"
    return client.post(url, json={"chat_id": chat, "text": "hi"}).status_code


def test_a_burst_beyond_the_limits_is_refused(telegram_api: FakeBotApi) -> None:  # noqa: F811
    fake = telegram_api
    fake.reset()
    fake.enforce_limits(overall=30, per_chat=1)
    with httpx.Client() as client:
        # One chat twice in a row, on full buckets: the second is the chat's limit.
        same_chat = [_send(client, fake, 5), _send(client, fake, 5)]
        fake.enforce_limits(overall=30, per_chat=1)  # full buckets again
        started = time.monotonic()
        burst = [_send(client, fake, 1000 + n) for n in range(40)]
        elapsed = time.monotonic() - started
    assert same_chat == [200, 429]
    # A second's worth at once, plus what refilled while the burst went out (on a busy
    # machine 40 requests can take a good part of a second).
    allowed = 30 + int(elapsed * 30) + 1
    assert 30 <= burst.count(200) <= allowed
    assert burst.count(429) >= 40 - allowed
    assert fake.refused == burst.count(429) + same_chat.count(429)
    fake.reset()
    fake.enforce_limits(overall=30, per_chat=1)
    with httpx.Client() as client:
        burst = [_send(client, fake, 1000 + n) for n in range(40)]
        same_chat = [_send(client, fake, 5), _send(client, fake, 5)]
    assert 30 <= burst.count(200) <= 32 and burst.count(429) >= 8
    assert same_chat[1] == 429
    assert fake.refused == burst.count(429) + same_chat.count(429)
    fake.reset()
