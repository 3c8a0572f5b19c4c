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


# Apart from the failing line: the traceback quotes that line's source.
NAME_AND_PHONE = "Aidos +77011234567"


def _failed_insert_record() -> logging.LogRecord:
    import sqlite3

    from sqlalchemy import create_engine, text

    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (name TEXT NOT NULL CHECK (name = 'ok'))"))
            conn.execute(text("INSERT INTO t VALUES (:name)"), {"name": NAME_AND_PHONE})
    except Exception:
        import sys

        record = logging.makeLogRecord(
            {"msg": "sweep row failed", "levelname": "ERROR", "name": "t"}
        )
        record.exc_info = sys.exc_info()
        assert isinstance(record.exc_info[1].__cause__, sqlite3.IntegrityError)
        return record
    raise AssertionError("the insert should have failed")


def test_tracebacks_keep_database_error_types_but_not_their_messages():
    record = _failed_insert_record()
    for formatter in (JsonFormatter(), TextFormatter()):
        line = formatter.format(record)
        assert "Aidos" not in line and "+7701" not in line and "CHECK" not in line
        assert "IntegrityError" in line and "withheld" in line
        assert "test_logging.py" in line  # where it happened is kept


def test_tracebacks_of_other_errors_keep_their_message():
    try:
        raise KeyError("missing_setting")
    except KeyError:
        import sys

        record = logging.makeLogRecord({"msg": "x", "levelname": "ERROR", "name": "t"})
        record.exc_info = sys.exc_info()
    assert "missing_setting" in TextFormatter().format(record)
