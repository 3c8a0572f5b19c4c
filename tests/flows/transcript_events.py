"""What the bot starts on its own in a transcript (`@ checkin`, `@ nudge`, `@ appointment:`,
`@ referral:`), and the partner directories a transcript can set up (`directory=demo`).

    @ appointment: id=5 kind=meeting hours=24 when="29.11 10:00" place="ул. Абая, 10"
    @ referral: id=9 status=completed organisation="Центр занятости"

Values with spaces are quoted, as in a shell.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable

import flows
from flows.types import (
    AppointmentInfo,
    Directory,
    FlowContext,
    FlowResult,
    OpportunityInfo,
    OrganisationInfo,
    ReferralInfo,
)

Start = Callable[[FlowContext], FlowResult]

KARAGANDA = "Karaganda"
_ORGANISATIONS = (
    OrganisationInfo(1, "ТОО Курылыс Сервис", ("employment",)),
    OrganisationInfo(2, "Кафе Достар", ("employment",)),
    OrganisationInfo(3, "Центр занятости", ("employment",), "+7 721 250 00 00"),
    OrganisationInfo(4, "Приют Умит", ("shelter",), "+7 701 555 11 22"),
    OrganisationInfo(5, "Кризисный центр Жан", ("shelter",), "+7 702 333 44 55"),
    OrganisationInfo(6, "Фонд Баспана", ("housing",)),
    OrganisationInfo(7, "Центр Сенім", ("religious_counselling", "psychological_support")),
)
_OPPORTUNITIES = (
    OpportunityInfo(
        101,
        1,
        "ТОО Курылыс Сервис",
        "Подсобный рабочий",
        field="construction",
        region="Astana",
        description="Полный день, обучение на месте",
        elsewhere=True,
    ),
    OpportunityInfo(102, 1, "ТОО Курылыс Сервис", "Маляр", field="construction", region=KARAGANDA),
    OpportunityInfo(
        103,
        2,
        "Кафе Достар",
        "Помощник повара",
        field="food",
        region=KARAGANDA,
        description="Смены 2/2, питание",
    ),
)
DIRECTORIES = {
    # Partners in the person's region, with openings in construction and food only.
    "demo": Directory(organisations=_ORGANISATIONS, opportunities=_OPPORTUNITIES),
    # A region with no partners at all.
    "empty": Directory(),
}


def parse_event(line: str) -> Start | None:
    """The flow entry point a `@` line stands for, or None if it is not an event."""
    if line == "@ checkin":
        return flows.start_checkin
    if line == "@ nudge":
        return flows.start_checkin_nudge
    name, _, rest = line.removeprefix("@ ").partition(":")
    if name not in ("appointment", "referral") or not rest:
        return None
    fields = dict(pair.split("=", 1) for pair in shlex.split(rest) if "=" in pair)
    if name == "appointment":
        appointment = AppointmentInfo(
            id=int(fields.get("id", "1")),
            kind=fields.get("kind", "meeting"),
            place=fields.get("place", ""),
            starts_at_local=fields.get("when", "29.11 10:00"),
            hours_before=int(fields.get("hours", "24")),
        )
        return lambda ctx: flows.start_appointment_reminder(ctx, appointment)
    referral = ReferralInfo(
        id=int(fields.get("id", "1")),
        kind=fields.get("kind", "employment"),
        organisation_name=fields.get("organisation", "Partner"),
        status=fields.get("status", "accepted"),
    )
    return lambda ctx: flows.start_referral_update(ctx, referral)


class SetupError(ValueError):
    """A setup line the runner cannot read."""


SETUP_KEYS = {
    "person",
    "language",
    "consent",
    "invite",
    "invite_language",
    "hint",
    "render",
    "directory",
    "region",
    "last_mood",
    "misunderstood",
    "paused",
}


def person_settings(settings: dict[str, str]) -> dict[str, object]:
    changes: dict[str, object] = {}
    if "region" in settings:
        changes["region"] = None if settings["region"] == "none" else settings["region"]
    if "last_mood" in settings:
        value = one_of(settings["last_mood"], ("none", "1", "2", "3", "4", "5"))
        changes["last_mood"] = None if value == "none" else int(value)
    if "misunderstood" in settings:
        changes["misunderstood_in_row"] = int(settings["misunderstood"])
    if "paused" in settings:
        changes["paused"] = one_of(settings["paused"], ("yes", "no")) == "yes"
    return changes


def one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SetupError(f"{value!r} is not one of {', '.join(allowed)}")
    return value
