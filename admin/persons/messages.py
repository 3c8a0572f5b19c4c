"""An officer writes to a person: POST /persons/{id}/messages, through the outbox."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlmodel import SQLModel

from admin.access import CaseworkerUser, allow
from admin.lookup import person_or_404, service_errors
from admin.persons.schemas import UtcDatetime, _Input
from admin.persons.text import printable_text
from admin.validation import DbId
from bot.core.clock import utcnow
from bot.core.deps import RuntimeDep, SessionDep, SettingsDep
from bot.models.enums import Role
from bot.services import case_work

router = APIRouter(prefix="/persons", tags=["messages"])

MessageText = printable_text(1000)


class OfficerMessageCreate(_Input):
    text: MessageText  # type: ignore[valid-type]


class OfficerMessagePublic(SQLModel):
    id: int
    person_id: int
    channel: str
    status: str
    sender_user_id: int
    created_at: UtcDatetime
    reply_window_until: UtcDatetime


@router.post(
    "/{person_id}/messages",
    response_model=OfficerMessagePublic,
    status_code=status.HTTP_201_CREATED,
    **allow(Role.admin, Role.supervisor, Role.officer),
)
def write_to_person(
    person_id: DbId,
    body: OfficerMessageCreate,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> OfficerMessagePublic:
    """Queued on the person's preferred channel as "Your officer: …"; the delivery status
    shows on the timeline. 409 when no channel reaches the person."""
    person = person_or_404(session, user, person_id, for_update=True)
    now = utcnow()
    with service_errors():
        message = case_work.write_to_person(session, settings, person, user, body.text, now)
    session.commit()
    runtime.queued()
    assert message.id is not None and person.officer_reply_until is not None
    return OfficerMessagePublic(
        id=message.id,
        person_id=person.id,  # type: ignore[arg-type]
        channel=message.channel,
        status=str(message.status),
        sender_user_id=user.id,  # type: ignore[arg-type]
        created_at=message.created_at,
        reply_window_until=person.officer_reply_until,
    )
