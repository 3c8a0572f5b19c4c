"""The data a flow reads and the data it returns.

Flows are pure: they get everything they need in a `FlowContext` and describe
what should happen in a `FlowResult`. The `bot` package adapts its database
models to these types and carries out the effects in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Language = Literal["en", "ru", "kk"]
LANGUAGES: tuple[Language, ...] = ("ru", "kk", "en")
DEFAULT_LANGUAGE: Language = "ru"

InviteStatus = Literal["valid", "used", "expired", "unknown"]
Severity = Literal["low", "medium", "high", "critical"]


@dataclass(frozen=True)
class PersonSnapshot:
    """What a flow may know about the person it talks to."""

    id: int
    display_name: str
    language: Language
    status: str  # invited | active | paused | opted_out | closed
    consent_given: bool | None  # None: never asked or not yet answered
    region: str | None = None
    supervision_level: str = "medium"
    # The mood of the last answered check-in before this one (two lows in a row escalate).
    last_mood: int | None = None
    # How many replies in a row the bot did not understand (three offer the officer).
    misunderstood_in_row: int = 0
    paused: bool = False  # the person wrote "stop": only essential messages


@dataclass(frozen=True)
class InviteCheck:
    """The result of looking up an invite code the sender wrote."""

    code: str
    status: InviteStatus
    person_language: Language | None = None


READABLE_KINDS = frozenset({"text", "choice"})


@dataclass(frozen=True)
class UserInput:
    """One thing the person did: wrote text or pressed a button (choice id)."""

    text: str | None = None
    choice: str | None = None
    # A language the channel suggests (Telegram's language_code, the phone's country).
    language_hint: str | None = None
    # What arrived: "text" or "choice", or something the bot cannot read ("photo",
    # "voice", "sticker", "document", "location", "edited", "media"...).
    kind: str = "text"

    @property
    def readable(self) -> bool:
        return self.kind in READABLE_KINDS


@dataclass(frozen=True)
class FlowState:
    """Where the conversation is. Stored as JSON-compatible data."""

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def idle(self) -> bool:
        return self.flow is None


IDLE = FlowState()


@dataclass(frozen=True)
class Choice:
    """An option offered to the person. `id` is short and opaque (it becomes
    Telegram callback data); `key` is the message key of its label."""

    id: str
    key: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """A message to send: a catalog key with its arguments, and the choices."""

    key: str
    args: dict[str, Any] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Localized:
    """An argument of a `Reply` that is itself a catalog text, rendered in the reply's
    language (a hotline's name, an appointment kind). A tuple of them renders as lines."""

    key: str
    args: dict[str, Any] = field(default_factory=dict)
    language: str | None = None  # rendered in this language instead, when set


@dataclass(frozen=True)
class Listed:
    """An argument that is a short list of catalog texts, on one line: "a, b, c"."""

    items: tuple[Localized, ...]
    separator: str = ", "


@dataclass(frozen=True)
class OrganisationInfo:
    """A partner organisation as the person may learn of it."""

    id: int
    name: str
    # What it offers: employment | housing | shelter | religious_counselling |
    # psychological_support | legal_aid | documents | other
    services: tuple[str, ...] = ()
    contact_phone: str | None = None
    # False when it serves other regions only: the person is told it is elsewhere.
    in_region: bool = True
    # Shown only once the person agreed to be referred there.
    address: str | None = None
    opening_hours: str | None = None


@dataclass(frozen=True)
class OpportunityInfo:
    """An open opening, its texts already in the person's language (the bot leaves out
    any opening that has no title in it)."""

    id: int
    organisation_id: int
    organisation_name: str
    title: str
    kind: str = "employment"
    field: str = ""
    region: str | None = None
    description: str = ""
    how_to_apply: str = ""
    # In another region than the person's: said on the card.
    elsewhere: bool = False


@dataclass(frozen=True)
class Directory:
    """What partners offer near the person, loaded by the bot for each step (open items in
    the person's region first, a bounded number)."""

    organisations: tuple[OrganisationInfo, ...] = ()
    opportunities: tuple[OpportunityInfo, ...] = ()


@dataclass(frozen=True)
class Hotline:
    name_key: str  # message key of its name, e.g. "hotline.emergency"
    number: str


@dataclass(frozen=True)
class Deployment:
    """Facts the deployment configures (Kazakhstan defaults: 112 and 150)."""

    hotlines: tuple[Hotline, ...] = (
        Hotline("hotline.emergency", "112"),
        Hotline("hotline.trust_line", "150"),
    )


@dataclass(frozen=True)
class AppointmentInfo:
    id: int
    kind: str
    place: str
    starts_at_local: str  # already formatted in the person's time zone, e.g. "29.11 10:00"
    hours_before: int  # 24 or 2: which reminder this is


@dataclass(frozen=True)
class ReferralInfo:
    id: int
    kind: str
    organisation_name: str
    status: str  # accepted | declined | completed


# --- Effects: plain data, carried out by bot/effects.py in the same transaction.


@dataclass(frozen=True)
class RedeemInvite:
    """Link the sender's channel identity to the invited person; use up the code."""

    code: str


@dataclass(frozen=True)
class RecordConsent:
    granted: bool
    text_version: str


@dataclass(frozen=True)
class SetLanguage:
    language: Language


@dataclass(frozen=True)
class ActivatePerson:
    """Enrollment finished: the person starts receiving scheduled check-ins."""


@dataclass(frozen=True)
class RecordCheckInAnswer:
    """Store part of the answer to the open check-in (only the fields given)."""

    mood: int | None = None
    need: str | None = None
    note: str | None = None
    complete: bool = False


@dataclass(frozen=True)
class OpenEscalation:
    reason: str
    severity: Severity
    detail: str = ""


@dataclass(frozen=True)
class CreateReferral:
    """The person asked to be put in touch and agreed to share `shared_fields` (e.g.
    ("name", "phone")) with this organisation."""

    kind: str  # a service: employment | housing | religious_counselling | ...
    organisation_id: int
    opportunity_id: int | None = None
    shared_fields: tuple[str, ...] = ("name",)
    note: str = ""


@dataclass(frozen=True)
class RespondToAppointment:
    appointment_id: int
    confirmed: bool
    reason: str | None = None


@dataclass(frozen=True)
class ReferralOffer:
    """An officer proposes a partner; the person is asked before anything is shared."""

    id: int
    organisation_name: str
    kind: str  # a service: employment | housing | ...
    fields: tuple[str, ...]  # first_name | language | need | contact_channel | phone | region
    # Shown to the person only after their yes.
    address: str | None = None
    opening_hours: str | None = None


@dataclass(frozen=True)
class AnswerReferralOffer:
    """The person's yes (the referral is sent to the partner) or no (it is cancelled)."""

    referral_id: int
    agreed: bool


@dataclass(frozen=True)
class RateReferral:
    referral_id: int
    rating: int


@dataclass(frozen=True)
class SetPaused:
    """stop / start: a paused person gets only essential messages (appointment reminders)."""

    paused: bool


@dataclass(frozen=True)
class PassToOfficer:
    """The person's free text answers their officer's message: it goes to the officer (an
    escalation) and the reply window closes."""


@dataclass(frozen=True)
class CountMisunderstanding:
    """`reset=True` after any understood input; otherwise one more not understood."""

    reset: bool = False


Effect = (
    RedeemInvite
    | RecordConsent
    | SetLanguage
    | ActivatePerson
    | RecordCheckInAnswer
    | OpenEscalation
    | CreateReferral
    | RespondToAppointment
    | RateReferral
    | AnswerReferralOffer
    | SetPaused
    | CountMisunderstanding
    | PassToOfficer
)


@dataclass(frozen=True)
class FlowContext:
    person: PersonSnapshot | None
    state: FlowState
    input: UserInput
    now: datetime
    language: Language
    invite: InviteCheck | None = None
    directory: Directory = Directory()
    deployment: Deployment = Deployment()
    # The officer wrote recently: the next free text (not an answer, not a keyword) is theirs.
    officer_reply_open: bool = False
    # The person's next appointments (soonest first), for "when is my meeting?".
    upcoming_appointments: tuple[AppointmentInfo, ...] = ()


@dataclass(frozen=True)
class FlowResult:
    replies: tuple[Reply, ...]
    state: FlowState
    effects: tuple[Effect, ...] = ()
