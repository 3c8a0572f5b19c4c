"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from bot.core.migrate import is_at_head

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    engine = request.app.state.runtime.engine
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        at_head = is_at_head(engine)
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not at_head:
        return JSONResponse(
            {"status": "unavailable", "database": "migrations pending: run `jolserik db upgrade`"},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok"})
