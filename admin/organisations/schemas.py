"""What the organisations and opportunities API (and the CSV import) accept: one set of
rules, so a row refused by the import is refused by the API for the same reason."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    EmailStr,
    Field,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)
from sqlmodel import SQLModel

from admin.persons.schemas import UtcDatetime, _Input
from admin.validation import AwareDatetime, DbId, LineChars, SafeName, TextChars
from bot.models.enums import OpportunityStatus, Service

Language = Literal["ru", "kk", "en"]
RegionName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), LineChars
]
PhoneText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), LineChars]
# Short enough to reach a person in one SMS with the opening hours (flows/sharing.py).
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=90), LineChars]
Hours = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), LineChars]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), LineChars]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), LineChars
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), TextChars
]
FieldOfWork = Literal[
    "", "construction", "logistics", "food", "manufacturing", "retail", "agriculture"
]
Texts = dict[Language, Title]
LongTexts = dict[Language, Description]


class _OrganisationFields(_Input):
    @field_validator("services", "regions", "languages", check_fields=False)
    @classmethod
    def _no_repeats(cls, value: list | None) -> list | None:
        return None if value is None else list(dict.fromkeys(value))


class OrganisationCreate(_OrganisationFields):
    name: SafeName
    services: Annotated[list[Service], Field(min_length=1, max_length=8)]
    # Empty: it serves every region.
    regions: Annotated[list[RegionName], Field(max_length=30)] = []
    languages: Annotated[list[Language], Field(max_length=3)] = []
    contact_email: EmailStr | None = None
    contact_phone: PhoneText | None = None
    address: Address | None = None
    opening_hours: Hours | None = None
    is_active: bool = True
    webhook_url: Url | None = None


class OrganisationUpdate(_OrganisationFields):
    name: SafeName | None = None
    services: Annotated[list[Service], Field(min_length=1, max_length=8)] | None = None
    regions: Annotated[list[RegionName], Field(max_length=30)] | None = None
    languages: Annotated[list[Language], Field(max_length=3)] | None = None
    contact_email: EmailStr | None = None
    contact_phone: PhoneText | None = None
    address: Address | None = None
    opening_hours: Hours | None = None
    is_active: bool | None = None
    webhook_url: Url | None = None


class OrganisationPublic(SQLModel):
    id: int
    name: str
    services: list[str]
    regions: list[str]
    languages: list[str]
    contact_email: str | None
    contact_phone: str | None
    address: str | None
    opening_hours: str | None
    is_active: bool
    webhook_url: str | None
    webhook_disabled_at: UtcDatetime | None
    has_webhook_secret: bool
    created_at: UtcDatetime
    updated_at: UtcDatetime
    # Only in the answer that created it: shown once, then only rotated.
    webhook_secret: str | None = None


class OrganisationsPage(SQLModel):
    items: list[OrganisationPublic]
    next_after: int | None


class _OpportunityTexts(_Input):
    @model_validator(mode="after")
    def _titles_cover_the_texts(self):  # type: ignore[no-untyped-def]
        title = getattr(self, "title", None)
        if title is None:
            return self
        for name in ("description", "how_to_apply"):
            extra = set(getattr(self, name) or {}) - set(title)
            if extra:
                raise ValueError(
                    f"{name} is given in {', '.join(sorted(extra))} but the title is not: "
                    "add the title in that language (a person sees an opening only in a "
                    "language it has a title in)"
                )
        return self


class OpportunityCreate(_OpportunityTexts):
    organisation_id: DbId
    kind: Service
    field: FieldOfWork = ""
    region: RegionName | None = None
    title: Annotated[Texts, Field(min_length=1)]
    description: LongTexts = {}
    how_to_apply: LongTexts = {}
    capacity: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    status: OpportunityStatus = OpportunityStatus.open
    closes_at: AwareDatetime | None = None


class OpportunityUpdate(_OpportunityTexts):
    kind: Service | None = None
    field: FieldOfWork | None = None
    region: RegionName | None = None
    title: Annotated[Texts, Field(min_length=1)] | None = None
    description: LongTexts | None = None
    how_to_apply: LongTexts | None = None
    capacity: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    status: OpportunityStatus | None = None
    closes_at: AwareDatetime | None = None


class OpportunityPublic(SQLModel):
    id: int
    organisation_id: int
    kind: str
    field: str
    region: str | None
    title: dict[str, str]
    description: dict[str, str]
    how_to_apply: dict[str, str]
    capacity: int | None
    status: str
    closes_at: UtcDatetime | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class OpportunitiesPage(SQLModel):
    items: list[OpportunityPublic]
    next_after: int | None
