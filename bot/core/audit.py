"""Write audit events. Append-only: nothing in the code updates or deletes them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.core.client_address import MAX_ADDRESS_CHARS, current_client_address
from bot.models import AuditEvent


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    person_id: int | None = None,
    actor_user_id: int | None = None,
    actor_kind: str = "user",
    detail: dict[str, Any] | None = None,
    address: str | None = None,
) -> None:
    """Add an event to `session` (committed with the work it describes). `address` defaults
    to the client address of the request being served, if any."""
    address = address or current_client_address()
    session.add(
        AuditEvent(
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            person_id=person_id,
            actor_user_id=actor_user_id,
            actor_kind=actor_kind,
            detail=detail or {},
            address=address[:MAX_ADDRESS_CHARS] if address else None,
        )
    )
