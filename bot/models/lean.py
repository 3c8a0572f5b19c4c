"""Building table rows without SQLModel's constructor, for the few rows the inbound path
makes by the thousand (a message and its replies, for every update).

`Message(**values)` sets every one of the model's fields through three layers of
`__setattr__` (SQLModel's, pydantic's and SQLAlchemy's instrumentation): about 60 µs a
row, a sixth of the processor's time per update. `lean_constructor(Message)` makes the
same object — the same attribute values and defaults, the same pending INSERT, the same
`model_dump()` — with SQLAlchemy's instance state and the values set straight into the
instance's dict, in about an eighth of that (8 µs; set one by one through SQLAlchemy's
attribute events, 20 µs).
tests/bot/models/test_lean.py holds the two to the same result, so a change in SQLModel
or pydantic (pinned in requirements.lock) that breaks it fails there first.

Only for table models without relationships, built from values already checked (no
validation runs here, as none runs in SQLModel's constructor for table models either).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import configure_mappers, instrumentation
from sqlmodel import SQLModel

_IMMUTABLE = (type(None), bool, int, float, str, bytes)
T = TypeVar("T", bound=SQLModel)


def lean_constructor(model: type[T]) -> Callable[..., T]:
    """A function building `model(**values)` the lean way (see the module's text)."""
    if model.__sqlmodel_relationships__:  # type: ignore[attr-defined]
        raise TypeError(f"{model.__name__} has relationships; use its constructor")
    manager = instrumentation.manager_of_class(model)
    fields = model.model_fields
    static: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, field in fields.items():
        if field.default_factory is not None:
            factories[name] = field.default_factory  # type: ignore[assignment]
        elif not field.is_required():
            if not isinstance(field.default, _IMMUTABLE):
                raise TypeError(f"{model.__name__}.{name} has a mutable default")
            static[name] = field.default
    setter = object.__setattr__

    configured = False

    def build(**values: Any) -> T:
        nonlocal configured
        if not configured:
            # The attributes' instrumentation is complete once every mapper is configured
            # (the model's own constructor sees to it the same way, on first use).
            configure_mappers()
            configured = True
        unknown = values.keys() - fields.keys()
        if unknown:
            raise TypeError(f"{model.__name__} has no field {sorted(unknown)[0]!r}")
        row = model.__new__(model)
        manager._new_state_if_none(row)
        merged = {**static, **{k: make() for k, make in factories.items() if k not in values}}
        merged.update(values)
        # Straight into the instance's dict, in the model's order as its constructor sets
        # them: a new row's INSERT takes every value from there, and a row not yet stored
        # has no committed state for SQLAlchemy's attribute events to record.
        state_dict = row.__dict__
        for name in fields:
            if name in merged:
                state_dict[name] = merged[name]
        setter(row, "__pydantic_fields_set__", set(values))
        setter(row, "__pydantic_extra__", None)
        setter(row, "__pydantic_private__", None)
        return row

    return build
