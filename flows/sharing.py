"""Asking, each time and naming the organisation, before anything is shared with a partner.

Work, housing and counselling end the same way: "may we give your name and phone number
to <organisation>?" Yes creates the referral; no shares nothing.
"""

from __future__ import annotations

from flows.steps import Question, ask_again, state
from flows.types import (
    IDLE,
    Choice,
    CreateReferral,
    FlowContext,
    FlowResult,
    Localized,
    OrganisationInfo,
    Reply,
)

STEP = "share"
# What share.ask names: the partner needs to know who, in which language, how to call, why.
SHARED_FIELDS = ("first_name", "language", "need", "phone")
# The services a journey may refer to (the partner directory's service names).
REFERRAL_KINDS = frozenset(
    {
        "employment",
        "housing",
        "shelter",
        "religious_counselling",
        "psychological_support",
        "legal_aid",
        "documents",
        "other",
    }
)
NAME_CHARS = 60
# An address and opening hours are shown only once the person said yes, in one message
# that must fit two SMS segments (the API keeps them this short).
ADDRESS_CHARS = 90
HOURS_CHARS = 40

SHARE_QUESTION = Question(
    "share.ask",
    (Choice("s_yes", "choice.yes"), Choice("s_no", "choice.no")),
    arg_names=("organisation",),
)
NOT_NOW = Reply("common.not_now")


def first_partner(ctx: FlowContext, *services: str) -> OrganisationInfo | None:
    """The first organisation offering one of these services that the bot loaded for the
    person (those serving their region first)."""
    return next(
        (org for org in ctx.directory.organisations if set(services) & set(org.services)),
        None,
    )


def ask(
    flow: str,
    organisation: OrganisationInfo,
    kind: str,
    *,
    opportunity_id: int | None = None,
    note: str = "",
    before: tuple[Reply, ...] = (),
) -> FlowResult:
    """Name the organisation and ask; the answer comes to the flow's `share` step."""
    data = {
        "organisation": organisation.name[:NAME_CHARS],
        "org_id": organisation.id,
        "kind": kind,
        "opp_id": opportunity_id,
        "note": note,
        "address": (organisation.address or "")[:ADDRESS_CHARS],
        "hours": (organisation.opening_hours or "")[:HOURS_CHARS],
    }
    return FlowResult(
        replies=(*before, SHARE_QUESTION.reply(data)), state=state(flow, STEP, **data)
    )


def answer(ctx: FlowContext) -> FlowResult:
    choice = SHARE_QUESTION.answer(ctx.input)
    if choice is None:
        return ask_again(ctx, SHARE_QUESTION)
    if choice == "s_no":
        return FlowResult(replies=(Reply("share.declined"),), state=IDLE)
    referral = _referral(ctx.state.data)
    if referral is None:
        # A state this version cannot read: share nothing rather than guess.
        return FlowResult(replies=(Reply("share.expired"),), state=IDLE)
    name = str(ctx.state.data.get("organisation", ""))[:NAME_CHARS]
    replies = (Reply("share.done", {"organisation": name}), *where(ctx.state.data))
    return FlowResult(replies=replies, state=IDLE, effects=(referral,))


def where(data: dict) -> tuple[Reply, ...]:
    """The partner's address and opening hours, for someone who just agreed to go there."""
    lines = []
    address = str(data.get("address") or "")[:ADDRESS_CHARS]
    hours = str(data.get("hours") or "")[:HOURS_CHARS]
    if address:
        lines.append(Localized("share.address", {"address": address}))
    if hours:
        lines.append(Localized("share.hours", {"hours": hours}))
    return (Reply("share.where", {"lines": tuple(lines)}),) if lines else ()


def _referral(data: dict) -> CreateReferral | None:
    org_id, kind, opp_id = data.get("org_id"), data.get("kind"), data.get("opp_id")
    note = data.get("note", "")
    if not _is_id(org_id) or kind not in REFERRAL_KINDS or not isinstance(note, str):
        return None
    if opp_id is not None and not _is_id(opp_id):
        return None
    assert isinstance(org_id, int)  # checked by _is_id above
    return CreateReferral(
        kind=kind,
        organisation_id=org_id,
        opportunity_id=opp_id,
        shared_fields=SHARED_FIELDS,
        note=note[:200],
    )


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
