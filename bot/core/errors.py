"""How errors answer: JSON `{"detail": ...}`, never the values the client sent.

A 422 lists each problem as `{"loc", "msg", "type"}` without pydantic's `input` and `ctx`
(a 200 MB field was once echoed back, and NaN or a lone surrogate in it made the answer
itself fail). A database error is logged by its type and route, never with its statement
or parameters.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.core.db import is_unavailable
from bot.core.middleware import route_of

log = logging.getLogger(__name__)

MAX_LOC_CHARS = 64
MAX_MSG_CHARS = 300
MAX_ERRORS = 50


def printable(text: str, limit: int) -> str:
    """`text` without surrogates, control or format characters, cut to `limit`."""
    kept = (c for c in text if unicodedata.category(c) not in {"Cs", "Cc", "Cf"})
    cleaned = "".join(kept)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _loc(parts: Sequence[Any]) -> list[str | int]:
    # An unknown field's name is in its loc, and the client chose that name.
    return [p if isinstance(p, int) else printable(str(p), MAX_LOC_CHARS) for p in parts]


def public_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "loc": _loc(error.get("loc", ())),
            "msg": printable(str(error.get("msg", "")), MAX_MSG_CHARS),
            "type": printable(str(error.get("type", "")), MAX_LOC_CHARS),
        }
        for error in errors[:MAX_ERRORS]
    ]


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": public_errors(exc.errors())}, status_code=422)


async def database_error(request: Request, exc: Exception) -> JSONResponse:
    if is_unavailable(exc):
        log.warning("database unavailable", extra={"error": type(exc).__name__})
        return JSONResponse(
            {"detail": "The database is unavailable; retry later."},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    # The statement's parameters and the driver's message can hold what a person wrote.
    cause = getattr(exc, "orig", None)
    log.error(
        "database error",
        extra={
            "error": type(exc).__name__,
            "cause": type(cause).__name__ if cause is not None else None,
            "route": route_of(request.scope),
        },
    )
    return JSONResponse({"detail": "Internal error."}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(SQLAlchemyError, database_error)
