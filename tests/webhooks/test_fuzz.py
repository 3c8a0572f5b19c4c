"""Hypothesis over the provider webhooks: any body a client can send, with the right proof
and without it. A correctly signed request with junk is 2xx or 4xx, never 500; without
the proof it is 403 and writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.models import InboundEvent, Message
from tests.bot.channels.telegram.updates import SECRET, SECRET_HEADER, update
from tests.webhooks.twilio_helpers import SMS_PATH, STATUS_PATH, inbound_form, post_signed

FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
text = st.text(max_size=300)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(text, children, max_size=5),
    max_leaves=30,
)


def _messages(engine: Engine) -> int:
    """Stored messages and stored events: a refused request writes neither."""
    with engine.connect() as conn:
        return sum(
            int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in (Message, InboundEvent)
        )


def _failed_events(engine: Engine) -> int:
    """Stored events the processor could not read: junk that passed the webhook's checks
    would show here (the webhook answered 200; the failure is the processor's)."""
    with engine.connect() as conn:
        query = (
            select(func.count()).select_from(InboundEvent).where(InboundEvent.outcome == "failed")
        )
        return int(conn.execute(query).scalar_one())


def _mutated_update(draw: Any) -> Any:
    body: dict[str, Any] = update("text", chat_id=draw(st.integers(-(2**53), 2**53)))
    message = body["message"]
    for key in draw(st.lists(st.sampled_from(sorted(message)), max_size=3)):
        message[key] = draw(json_values)
    if draw(st.booleans()):
        body["update_id"] = draw(json_values)
    return body


@pytest.mark.slow
def test_telegram_never_500(tg_client: TestClient, engine: Engine) -> None:
    headers = {"content-type": "application/json", SECRET_HEADER: SECRET}

    @FUZZ
    @given(data=st.data())
    def post(data: st.DataObject) -> None:
        choice = data.draw(st.integers(0, 2))
        if choice == 0:
            raw = json.dumps(data.draw(json_values)).encode()
        elif choice == 1:
            raw = data.draw(st.binary(max_size=500))
        else:
            raw = json.dumps(_mutated_update(data.draw)).encode()
        response = tg_client.post("/webhooks/telegram", content=raw, headers=headers)
        assert response.status_code < 500, response.text[:200]

    post()
    assert _failed_events(engine) == 0


@pytest.mark.slow
def test_telegram_without_the_secret_writes_nothing(tg_client: TestClient, engine: Engine) -> None:
    before = _messages(engine)

    header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)

    @FUZZ
    @given(secret=st.none() | header_text.filter(lambda s: s != SECRET), chat=st.integers(1, 2**40))
    def post(secret: str | None, chat: int) -> None:
        headers = {"content-type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = json.dumps(update("text", chat_id=chat, text="я больше не хочу жить")).encode()
        response = tg_client.post("/webhooks/telegram", content=body, headers=headers)
        assert response.status_code == 403

    post()
    assert _messages(engine) == before


@pytest.mark.slow
def test_twilio_never_500_and_unsigned_writes_nothing(
    sms_client: TestClient, engine: Engine
) -> None:
    pairs_strategy = st.lists(st.tuples(text, text), max_size=12)

    @FUZZ
    @given(data=st.data())
    def post(data: st.DataObject) -> None:
        path = data.draw(st.sampled_from([SMS_PATH, STATUS_PATH]))
        if data.draw(st.booleans()):
            pairs = data.draw(pairs_strategy)
        else:
            pairs = inbound_form(data.draw(text), data.draw(text))
        before = _messages(engine)
        unsigned = post_signed(sms_client, path, pairs, signature="")
        assert unsigned.status_code == 403
        assert _messages(engine) == before
        forged = post_signed(sms_client, path, pairs, signature="Zm9yZ2Vk")
        assert forged.status_code == 403
        signed = post_signed(sms_client, path, pairs)
        assert signed.status_code < 500, signed.text[:200]

    post()
    assert _failed_events(engine) == 0
