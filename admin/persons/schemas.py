"""What the persons API accepts and answers. Responses always go through a public model."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, StringConstraints, field_validator
from pydantic import Field as PydanticField
from sqlmodel import SQLModel

from admin.validation import AwareDatetime, DbId, LineChars, SafeName
from bot.core.clock import as_utc
from bot.models.checkin import CheckInCreate
from bot.models.enums import Channel, PersonStatus
from bot.models.person import PersonBase
from bot.services.persons import is_known_timezone
from bot.services.timeline import TimelineEntry


def _as_utc(value: datetime) -> datetime:
    return as_utc(value)  # type: ignore[return-value]


# A time a client sends: must carry its offset; kept as UTC (see admin/validation.py).
AwareDatetimeIn = AwareDatetime
# A time we answer with: SQLite hands back naive UTC; always answer with the offset.
UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]

DisplayName = SafeName
Region = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), LineChars]
TimezoneName = Annotated[str, StringConstraints(max_length=64), LineChars]
PhoneText = Annotated[str, StringConstraints(max_length=32), LineChars]
Language = Literal["ru", "kk", "en"]


class _Input(SQLModel):
    # A misspelt field is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]


class PersonCreate(PersonBase, _Input):
    display_name: DisplayName
    language: Language = "ru"
    region: Region | None = None
    # An IANA name such as Asia/Almaty; the deployment's default when left out.
    timezone: TimezoneName | None = None  # type: ignore[assignment]
    # Local numbers are read in the deployment's region (DEFAULT_REGION).
    phone: PhoneText | None = None
    # Admins and supervisors may enroll into another officer's caseload.
    officer_id: DbId | None = None

    @field_validator("region")
    @classmethod
    def _blank_region_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not is_known_timezone(value):
            raise ValueError("unknown time zone")
        return value

    @field_validator("phone")
    @classmethod
    def _blank_phone_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None


class PersonPublic(PersonBase):
    id: int
    status: PersonStatus
    officer_id: int | None
    phone: str | None
    consent_given: bool | None
    checkin_interval_hours: int | None = None  # the officer's override of the level's cadence
    next_checkin_at: UtcDatetime | None
    created_at: UtcDatetime

    @classmethod
    def from_person(cls, person: object) -> PersonPublic:
        return cls.model_validate(person, update={"phone": getattr(person, "phone_e164", None)})


class PersonsPage(SQLModel):
    items: list[PersonPublic]
    next_after: int | None  # pass as `after` for the next page; null on the last one


class InviteCreate(_Input):
    channel: Channel | None = None


class CheckInSchedule(CheckInCreate, _Input):
    due_at: AwareDatetimeIn | None = None  # when to ask; now when left out


# --- the timeline ------------------------------------------------------------------------------


class _TimelineItem(SQLModel):
    id: int
    at: UtcDatetime


class TimelineMessage(_TimelineItem):
    type: Literal["message"] = "message"
    direction: str
    channel: str
    kind: str
    body: str
    status: str
    choices: list | None
    sender_user_id: int | None = None  # an officer's own words name their author


class TimelineCheckIn(_TimelineItem):
    type: Literal["checkin"] = "checkin"
    status: str
    due_at: UtcDatetime
    sent_at: UtcDatetime | None
    answered_at: UtcDatetime | None
    mood: int | None
    need: str | None


class TimelineEscalation(_TimelineItem):
    type: Literal["escalation"] = "escalation"
    reason: str
    severity: str
    status: str


class TimelineConsent(_TimelineItem):
    type: Literal["consent"] = "consent"
    scope: str
    granted: bool
    text_version: str
    channel: str | None


class TimelineAppointment(_TimelineItem):
    type: Literal["appointment"] = "appointment"
    starts_at: UtcDatetime
    kind: str
    place: str
    status: str
    response_reason: str | None


class TimelineReferral(_TimelineItem):
    type: Literal["referral"] = "referral"
    kind: str
    organisation_id: int
    opportunity_id: int | None
    status: str
    helpful_rating: int | None


class TimelineReferralEvent(_TimelineItem):
    type: Literal["referral_event"] = "referral_event"
    referral_id: int
    from_status: str | None
    to_status: str
    actor_kind: str
    actor_user_id: int | None
    reason: str | None


class TimelineNote(_TimelineItem):
    type: Literal["note"] = "note"
    author_id: int | None
    body: str


TimelineItem = Annotated[
    TimelineMessage
    | TimelineCheckIn
    | TimelineEscalation
    | TimelineConsent
    | TimelineAppointment
    | TimelineReferral
    | TimelineReferralEvent
    | TimelineNote,
    PydanticField(discriminator="type"),
]

_ITEM_MODELS: dict[str, type[_TimelineItem]] = {
    "message": TimelineMessage,
    "checkin": TimelineCheckIn,
    "escalation": TimelineEscalation,
    "consent": TimelineConsent,
    "appointment": TimelineAppointment,
    "referral": TimelineReferral,
    "referral_event": TimelineReferralEvent,
    "note": TimelineNote,
}


class TimelinePage(SQLModel):
    items: list[TimelineItem]
    next_before: UtcDatetime | None  # pass as `before` for older items; null at the start


def timeline_item(entry: TimelineEntry) -> _TimelineItem:
    return _ITEM_MODELS[entry.kind].model_validate(entry.row, update={"at": entry.at})
