"""One line per event; JSON in production. Sensitive fields never reach a log line."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType

# Keys that may carry a message body, phone number, token or password. A log call that
# passes one of these in `extra` has it replaced, so a careless call cannot leak it.
REDACTED_KEYS = frozenset(
    {"body", "text", "address", "phone", "phone_e164", "token", "password", "secret", "code"}
)
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {
    "message",
    "asctime",
    "color_message",  # uvicorn duplicates its message with terminal colours
}


def _extras(record: logging.LogRecord) -> dict[str, object]:
    extras: dict[str, object] = {}
    for key, value in vars(record).items():
        if key in _STANDARD_ATTRS or key.startswith("_"):
            continue
        extras[key] = "[redacted]" if key in REDACTED_KEYS else value
    return extras


# Database errors quote statements, parameters and (PostgreSQL's DETAIL) the failing row.
WITHHELD_MODULES = ("sqlalchemy", "psycopg", "sqlite3")
WITHHELD = "[message withheld: it can quote stored values]"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def format_exception_safely(exc: BaseException) -> str:
    """A traceback (code locations only, whole chain) whose database errors keep their type
    but not their message."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for position, error in enumerate(reversed(chain)):
        if position:
            parts.append("\nThe above exception led to the following one:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(error.__traceback__))
        kind = type(error)
        withheld = kind.__module__.split(".")[0] in WITHHELD_MODULES
        message = WITHHELD if withheld else str(error)
        parts.append(f"{kind.__module__}.{kind.__qualname__}: {message}")
    return "".join(parts)


class _SafeExceptions(logging.Formatter):
    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        return format_exception_safely(ei[1]) if ei[1] is not None else ""


class JsonFormatter(_SafeExceptions):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(_SafeExceptions):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = (
            f"{self.formatTime(record)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        )
        if fields:
            line = f"{line} {fields}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def configure_logging(*, json_lines: bool, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet_noisy_loggers()


def quiet_noisy_loggers() -> None:
    # httpx logs full request URLs, which for Telegram contain the bot token.
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
