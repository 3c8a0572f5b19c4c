"""Updates in the shapes Telegram sends (tests/fixtures/telegram/*.json), adjusted for
a test: another chat, text, button data or update id."""

from __future__ import annotations

import copy
import itertools
import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "telegram"
FIXTURE_CHAT = 5550001
SECRET = "test-webhook-secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_update_ids = itertools.count(900_000_001)


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def update(
    name: str,
    *,
    chat_id: int | None = None,
    update_id: int | None = None,
    text: str | None = None,
    data: str | None = None,
    language: str | None = None,
    message_id: int | None = None,
) -> dict[str, Any]:
    body = copy.deepcopy(_load(name))
    body["update_id"] = update_id if update_id is not None else next(_update_ids)
    _, payload = next((k, v) for k, v in body.items() if k != "update_id")
    if chat_id is not None:
        _replace_chat(body, chat_id)
    message = payload.get("message", payload) if name == "callback_query" else payload
    if text is not None:
        message["text"] = text
    if message_id is not None:
        message["message_id"] = message_id
    if data is not None:
        payload["data"] = data
    if language is not None:
        payload["from"]["language_code"] = language
    return body


def _replace_chat(node: Any, chat_id: int) -> None:
    # The fixture person's user id and private chat id are the same number, as in Telegram.
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "id" and value == FIXTURE_CHAT:
                node[key] = chat_id
            else:
                _replace_chat(value, chat_id)
    elif isinstance(node, list):
        for item in node:
            _replace_chat(item, chat_id)


def post_update(
    client: TestClient, body: Any, *, secret: str | None = SECRET, raw: bytes | None = None
) -> Response:
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    content = raw if raw is not None else json.dumps(body).encode()
    return client.post("/webhooks/telegram", content=content, headers=headers)
