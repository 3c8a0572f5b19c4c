"""People supported by the service, and their consent records."""

from datetime import datetime

from sqlalchemy import Index, String, text
from sqlmodel import Field, SQLModel, col

from bot.models.base import created_at_field, timestamp_field
from bot.models.enums import PersonStatus, SupervisionLevel

# When a person was last heard from (or, before their first message, since when they could
# have been). An index on an expression serves only queries with the same expression:
# `heard` in bot/services/today.py is this one.
HEARD_AT = "coalesce(last_inbound_at, consent_at, created_at)"


class PersonBase(SQLModel):
    display_name: str = Field(min_length=1, max_length=120)
    language: str = Field(default="ru", max_length=8)
    region: str | None = Field(default=None, max_length=64)
    timezone: str = Field(default="Asia/Almaty", max_length=64)
    supervision_level: SupervisionLevel = Field(
        sa_type=String(16), default=SupervisionLevel.medium, max_length=16
    )


class Person(PersonBase, table=True):
    __table_args__ = (
        # The check-in sweep reads "active people whose next check-in is due".
        Index("ix_person_status_next_checkin_at", "status", "next_checkin_at"),
        # The retention sweep: closed cases whose message bodies are due to be purged.
        Index("ix_person_status_closed_at", "status", "closed_at"),
        # The officer's "today" page: active people not heard from in two weeks.
        Index("ix_person_status_last_inbound_at", "status", "last_inbound_at"),
        # Today's "not heard from" in the order it lists them, so an admin's page (every
        # case in the country) reads its first rows instead of sorting them all.
        Index("ix_person_status_heard_at", "status", text(HEARD_AT), "id"),
        # The programme report: people enrolled (consented) in a period.
        Index("ix_person_consent_at", "consent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: PersonStatus = Field(sa_type=String(16), default=PersonStatus.invited, max_length=16)
    officer_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    phone_e164: str | None = Field(default=None, max_length=20)
    consent_given: bool | None = None
    consent_at: datetime | None = timestamp_field()
    checkin_interval_hours: int | None = Field(default=None, ge=1)
    next_checkin_at: datetime | None = timestamp_field(index=True)
    missed_checkins_in_row: int = 0
    last_inbound_at: datetime | None = timestamp_field()
    # Until then, the person's next free text goes to their officer (after an officer wrote).
    officer_reply_until: datetime | None = timestamp_field()
    closed_at: datetime | None = timestamp_field()
    bodies_purged_at: datetime | None = timestamp_field()
    erased_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


# Today's "missed check-ins", most missed first, read in order for the same reason (a
# descending column is named on the mapped class, so it is declared after it).
Index(
    "ix_person_missed_checkins",
    col(Person.missed_checkins_in_row).desc(),
    col(Person.id),
)


class ConsentRecord(SQLModel, table=True):
    """Append-only: every consent decision with the exact text version shown."""

    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    scope: str = Field(default="service", max_length=40)  # service | referral:<id>
    granted: bool
    text_version: str = Field(max_length=40)
    channel: str | None = Field(default=None, max_length=16)
    created_at: datetime = created_at_field()
