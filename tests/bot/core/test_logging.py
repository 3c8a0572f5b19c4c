"""Log lines never carry a body, phone number, token or password."""

from __future__ import annotations

import json
import logging

from bot.core.logging_setup import JsonFormatter, TextFormatter


def _record(**extra) -> logging.LogRecord:
    record = logging.makeLogRecord({"msg": "inbound", "levelname": "INFO", "name": "t"})
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_lines_redact_sensitive_fields():
    line = JsonFormatter().format(
        _record(body="I feel bad", phone="+77011234567", token="123:abc", channel="sms")
    )
    entry = json.loads(line)
    assert entry["event"] == "inbound" and entry["channel"] == "sms"
    assert entry["body"] == entry["phone"] == entry["token"] == "[redacted]"
    assert "+7701" not in line and "I feel bad" not in line and "123:abc" not in line


def test_text_lines_redact_too():
    line = TextFormatter().format(_record(password="hunter2hunter2", person_id=4))
    assert "hunter2" not in line and "person_id=4" in line
