"""The suite's log reader itself: it finds what must not be logged, and the app's
formatter keeps redacted extras out of its sight."""

from __future__ import annotations

import logging

from tests.log_privacy import LogPrivacy


def _read(message: str, **extra: object) -> list[str]:
    handler = LogPrivacy()
    record = logging.makeLogRecord(
        {"name": "bot.test", "levelno": 20, "levelname": "INFO", "msg": message}
    )
    for key, value in extra.items():
        setattr(record, key, value)
    handler.emit(record)
    return [finding.what for finding in handler.findings]


def test_it_finds_phones_words_names_and_secrets() -> None:
    assert _read("sent to +77011234567") == ["a phone number"]
    assert _read("person said мне плохо") == ["Cyrillic (a message or a name)"]
    assert _read("login", email_hint="correct horse battery staple") == ["a test secret (corr…)"]
    assert _read("auth", header="Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.x") == ["a JWT"]


def test_redacted_extras_and_plain_lines_pass() -> None:
    assert _read("inbound stored", body="мне плохо", phone="+77011234567", person_id=5) == []
    assert _read("dispatched", channel="telegram", attempts=2) == []
