"""Shared column helpers."""

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime
from sqlmodel import Column, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def created_at_field() -> datetime:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


def timestamp_field(*, index: bool = False) -> datetime | None:
    return Field(default=None, sa_type=DateTime(timezone=True), nullable=True, index=index)


def json_field() -> dict:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
