"""The few SQL pieces that differ between SQLite and PostgreSQL: a duration and a median.
Everything else in the report is plain portable SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, cast, func, select
from sqlalchemy.sql import ColumnElement, Select


def is_postgres(dialect_name: str) -> bool:
    return dialect_name == "postgresql"


def minutes_between(start: Any, end: Any, dialect_name: str) -> ColumnElement[Any]:
    if is_postgres(dialect_name):
        return func.extract("epoch", end - start) / 60.0
    return (func.julianday(end) - func.julianday(start)) * 1440.0


def median(values: Select[Any]) -> Select[Any]:
    """The median of a one-column SELECT, with window functions both engines have: the
    middle row (or the mean of the two middle rows) of the ordered values. The values
    stay in the database; one number comes back."""
    inner = values.subquery("v")
    value = next(iter(inner.columns))
    ranked = select(
        cast(value, Float).label("x"),
        func.row_number().over(order_by=value).label("rn"),
        func.count().over().label("n"),
    ).subquery("ranked")
    middle_low = (ranked.c.n + 1) / 2
    middle_high = (ranked.c.n + 2) / 2
    return select(func.avg(ranked.c.x)).where(
        (ranked.c.rn == middle_low) | (ranked.c.rn == middle_high)
    )
