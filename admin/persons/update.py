"""Change a person's record: supervision level, check-in cadence, time zone, region,
language, phone. The next check-in moves when the cadence changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field as PydanticField
from pydantic import model_validator

from admin.access import CASEWORKERS, CaseworkerUser, allow
from admin.lookup import service_errors, writable_person_or_404
from admin.persons.schemas import (
    DisplayName,
    Language,
    PersonPublic,
    PhoneText,
    Region,
    TimezoneName,
    _Input,
)
from admin.validation import DbId
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.models.enums import PersonStatus, SupervisionLevel
from bot.scheduling.cadence import next_checkin_after
from bot.services import InvalidInput
from bot.services.persons import is_known_timezone, normalise_phone

router = APIRouter(prefix="/persons", tags=["persons"])

# 6 hours to 30 days: more often would be nagging, less would not be supervision.
IntervalHours = Annotated[int, PydanticField(ge=6, le=720)]


class PersonUpdate(_Input):
    display_name: DisplayName | None = None
    language: Language | None = None
    region: Region | None = None
    timezone: TimezoneName | None = None
    supervision_level: SupervisionLevel | None = None
    # The officer's override of the level's cadence; null goes back to the level's default.
    checkin_interval_hours: IntervalHours | None = None
    phone: PhoneText | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> PersonUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self


@router.patch("/{person_id}", response_model=PersonPublic, **allow(*CASEWORKERS))
def update_person(
    person_id: DbId,
    body: PersonUpdate,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
) -> PersonPublic:
    person = writable_person_or_404(session, user, person_id, for_update=True)
    changes = body.model_dump(exclude_unset=True)
    with service_errors():
        if "timezone" in changes and not is_known_timezone(changes["timezone"] or ""):
            raise InvalidInput("timezone", "unknown time zone")
        if "phone" in changes:
            raw = changes.pop("phone")
            changes["phone_e164"] = normalise_phone(raw, settings.default_region) if raw else None
        for required in ("display_name", "language", "timezone", "supervision_level"):
            if required in changes and changes[required] is None:
                raise InvalidInput(required, "cannot be empty")
    for name, value in changes.items():
        setattr(person, name, value)
    now = utcnow()
    cadence_changed = {"supervision_level", "checkin_interval_hours"} & changes.keys()
    if cadence_changed and person.status == PersonStatus.active:
        person.next_checkin_at = next_checkin_after(person, now)
    person.updated_at = now
    session.add(person)
    audit.record(
        session,
        action="person.update",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"fields": sorted(body.model_fields_set)},
    )
    session.commit()
    return PersonPublic.from_person(person)
