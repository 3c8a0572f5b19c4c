"""The audit trail for admins: filter, page through newest first, or download as CSV.

Read-only on purpose: no route changes or deletes an event (PUT, PATCH and DELETE answer
405). Reading the trail is itself audited.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlmodel import SQLModel

from admin.access import CurrentUser, allow
from admin.persons.schemas import AwareDatetimeIn, UtcDatetime
from admin.validation import SafeTerm
from bot.core import audit
from bot.core.deps import RuntimeDep, SessionDep
from bot.models import AuditEvent
from bot.models.enums import Role
from bot.services.audit_log import AuditFilter, audit_page, stream_audit
from bot.services.persons import MAX_ID

router = APIRouter(tags=["audit"])

Id = Annotated[int | None, Query(ge=1, le=MAX_ID)]
CSV_COLUMNS = (
    "id",
    "created_at",
    "actor_user_id",
    "actor_kind",
    "action",
    "entity_type",
    "entity_id",
    "person_id",
    "address",
    "detail",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def audit_filter(
    actor_user_id: Id = None,
    action: Annotated[SafeTerm | None, Query()] = None,
    entity_type: Annotated[SafeTerm | None, Query(max_length=40)] = None,
    person_id: Id = None,
    since: Annotated[AwareDatetimeIn | None, Query(description="from this time on")] = None,
    until: Annotated[AwareDatetimeIn | None, Query(description="before this time")] = None,
) -> AuditFilter:
    return AuditFilter(
        actor_user_id=actor_user_id,
        action=action,
        entity_type=entity_type,
        person_id=person_id,
        since=since,
        until=until,
    )


Filter = Annotated[AuditFilter, Depends(audit_filter)]


class AuditEventPublic(SQLModel):
    id: int
    created_at: UtcDatetime
    actor_user_id: int | None
    actor_kind: str
    action: str
    entity_type: str
    entity_id: int | None
    person_id: int | None
    address: str | None
    detail: dict


class AuditPage(SQLModel):
    items: list[AuditEventPublic]
    next_before: int | None  # pass as `before` for the next (older) page; null on the last


@router.get("/audit", response_model=AuditPage, **allow(Role.admin))
def list_audit(
    where: Filter,
    user: CurrentUser,
    session: SessionDep,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="the `next_before` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Audit events matching every filter given, newest first, a page at a time."""
    page = audit_page(session, where, before=before, limit=limit)
    items = [AuditEventPublic.model_validate(event) for event in page.items]
    audit.record(
        session,
        action="audit.list",
        entity_type="audit_event",
        actor_user_id=user.id,
        detail={**where.as_detail(), "items": len(items)},
    )
    session.commit()
    return AuditPage(items=items, next_before=page.next_before)


def safe_cell(value: object) -> str:
    """The value as a CSV cell that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_row(event: AuditEvent) -> list[str]:
    return [
        safe_cell(value)
        for value in (
            event.id,
            event.created_at.isoformat(),
            event.actor_user_id,
            event.actor_kind,
            event.action,
            event.entity_type,
            event.entity_id,
            event.person_id,
            event.address,
            json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
        )
    ]


def csv_lines(events: Iterator[AuditEvent]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow(csv_row(event))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@router.get(
    "/audit.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
    **allow(Role.admin),
)
def export_audit_csv(
    where: Filter, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> StreamingResponse:
    """Every event matching the filters (as for `/audit`) as CSV, newest first, streamed."""
    audit.record(
        session,
        action="audit.export",
        entity_type="audit_event",
        actor_user_id=user.id,
        detail=where.as_detail(),
    )
    session.commit()
    return StreamingResponse(
        csv_lines(stream_audit(runtime.engine, where)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
