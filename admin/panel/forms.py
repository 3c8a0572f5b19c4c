"""Panel forms checked by the API's own schemas and services: a refusal becomes a message
shown beside the form that caused it, never a 500 or a JSON answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from admin.panel.i18n import zone
from bot.models import User
from bot.services import Conflict, InvalidInput, NotAllowed


class FormProblem(Exception):
    def __init__(self, form: str, message: str, status_code: int = 422) -> None:
        super().__init__(message)
        self.form = form
        self.message = message
        self.status_code = status_code


@contextmanager
def refusals(form: str) -> Iterator[None]:
    """The API's refusals as a message beside the form that caused them."""
    try:
        yield
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise FormProblem(form, f"{where}: {first['msg']}" if where else first["msg"]) from None
    except InvalidInput as exc:
        raise FormProblem(form, f"{exc.field}: {exc}") from None
    except Conflict as exc:
        raise FormProblem(form, str(exc), 409) from None
    except NotAllowed as exc:
        raise FormProblem(form, str(exc), 403) from None


def checked(schema: type[BaseModel], form: str, values: dict[str, Any]) -> Any:
    with refusals(form):
        return schema.model_validate(values)


def local_time(value: str, user: User) -> datetime | None:
    """A datetime-local field (no zone) read in the staff member's time zone."""
    value = value.strip()
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("when", "give a date and time like 2026-12-24T10:30") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zone(user.timezone))


def submit(
    session: Session,
    work: Callable[[], str],
    again: Callable[[dict[str, str], int], Response],
) -> Response:
    """Run a form's work: committed, it redirects to the address `work` returns (303);
    refused, it is rolled back and the page comes again with what to fix."""
    try:
        done = work()
    except FormProblem as problem:
        session.rollback()
        return again({"form": problem.form, "message": problem.message}, problem.status_code)
    session.commit()
    return RedirectResponse(done, status_code=303)
