"""Shared column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Column, Field

from bot.core.clock import utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always UTC and always timezone-aware in Python.

    SQLite keeps no offset and hands back naive values; without this every reader would
    have to remember that, and an API response would show a time with no zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def created_at_field(*, index: bool = False) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=index)


def required_timestamp_field(*, index: bool = False) -> Any:
    return Field(sa_type=UTCDateTime(), nullable=False, index=index)


def timestamp_field(*, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime(), nullable=True, index=index)


def json_field() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def json_list_field() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))
