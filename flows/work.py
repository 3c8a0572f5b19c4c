"""Work: a field of interest, up to three open opportunities from partners near the person
(one message each), and an introduction to the one they choose, if they agree to share.

The region is the person's own (the bot loads the directory for it); nothing matching
leads to a job-counselling partner or a note to the officer.
"""

from __future__ import annotations

from flows import sharing
from flows.i18n import translate
from flows.regions import region_name
from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import (
    IDLE,
    Choice,
    FlowContext,
    FlowResult,
    OpenEscalation,
    OpportunityInfo,
    OrganisationInfo,
    Reply,
)

NAME = "work"
MAX_SHOWN = 3

# The canonical fields: `OpportunityInfo.field` holds one of these ids.
FIELDS = ("construction", "logistics", "food", "manufacturing", "retail", "agriculture")
ANY_FIELD = "any"
FIELD_QUESTION = Question(
    "work.ask_field",
    (
        Choice("f_construction", "choice.field_construction"),
        Choice("f_logistics", "choice.field_logistics"),
        Choice("f_food", "choice.field_food"),
        Choice("f_manufacturing", "choice.field_manufacturing"),
        Choice("f_retail", "choice.field_retail"),
        Choice("f_agriculture", "choice.field_agriculture"),
        Choice("f_any", "choice.field_any"),
    ),
)
OFFER_QUESTION = Question(
    "work.opportunity",
    (
        Choice("w_yes", "choice.interested"),
        Choice("w_next", "choice.next"),
        Choice("w_none", "choice.none_fit"),
    ),
    arg_names=("position", "count", "about"),
)
# The last one shown has nothing after it.
LAST_OFFER_QUESTION = Question(
    "work.opportunity",
    (Choice("w_yes", "choice.interested"), Choice("w_none", "choice.none_fit")),
    arg_names=("position", "count", "about"),
)
NOTHING_QUESTION = Question(
    "work.nothing",
    (
        Choice("w_jc", "choice.job_counselling"),
        Choice("w_officer", "choice.tell_officer"),
        Choice("w_later", "choice.not_now"),
    ),
)
NOTHING_NO_PARTNER_QUESTION = Question(
    "work.nothing_no_partner",
    (Choice("w_officer", "choice.tell_officer"), Choice("w_later", "choice.not_now")),
)


def start(ctx: FlowContext) -> FlowResult:
    return FlowResult(replies=(FIELD_QUESTION.reply(),), state=state(NAME, "field"))


def matching(ctx: FlowContext, field: str) -> list[OpportunityInfo]:
    """Open opportunities in this field, those in the person's own region first."""
    region = ctx.person.region if ctx.person else None
    found = [
        item
        for item in ctx.directory.opportunities
        if item.kind == "employment" and (field == ANY_FIELD or item.field.casefold() == field)
    ]
    found.sort(key=lambda item: region is not None and item.region != region)
    return found[:MAX_SHOWN]


def job_counselling_partner(ctx: FlowContext) -> OrganisationInfo | None:
    """Who helps when no opening fits: an employment partner that posts no openings of its
    own (a job centre rather than an employer) first, else any employment partner."""
    employers = {item.organisation_id for item in ctx.directory.opportunities}
    partners = [org for org in ctx.directory.organisations if "employment" in org.services]
    partners.sort(key=lambda org: (org.id in employers, not org.in_region))
    return partners[0] if partners else None


def _step(ctx: FlowContext) -> FlowResult:
    match ctx.state.step:
        case "offer" | "offer_last":
            return _offer(ctx)
        case "nothing" | "nothing_officer":
            return _nothing(ctx)
        case sharing.STEP:
            return sharing.answer(ctx)
        case _:
            return _field(ctx)


def _field(ctx: FlowContext) -> FlowResult:
    answer = FIELD_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, FIELD_QUESTION)
    field = answer.removeprefix("f_")
    found = matching(ctx, field)
    if not found:
        return _no_match(ctx, field)
    return _show(field, [item.id for item in found], 0, found[0], ctx.language)


def _show(
    field: str, ids: list[int], index: int, item: OpportunityInfo, language: str
) -> FlowResult:
    data = {
        "field": field,
        "ids": ids,
        "index": index,
        "position": index + 1,
        "count": len(ids),
        "about": _about(item, language),
    }
    last = index == len(ids) - 1
    question = LAST_OFFER_QUESTION if last else OFFER_QUESTION
    step = "offer_last" if last else "offer"
    return FlowResult(replies=(question.reply(data),), state=state(NAME, step, **data))


def _about(item: OpportunityInfo, language: str) -> str:
    """Title, organisation and place, description: in the person's language, the place
    named in it, and an opening in another city says so (a Karaganda person offered an
    Astana job must not find out on the bus)."""
    where = item.organisation_name[:40]
    if item.region:
        where += ", " + region_name(item.region, language)[:30]
        if item.elsewhere:
            where += " " + translate("work.elsewhere", language)
    lines = [item.title[:50], where, " ".join(item.description.split())[:60]]
    return "\n".join(line for line in lines if line)


def _offer(ctx: FlowContext) -> FlowResult:
    question = LAST_OFFER_QUESTION if ctx.state.step == "offer_last" else OFFER_QUESTION
    answer = question.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, question)
    field, ids, index = _position(ctx.state.data)
    by_id = {item.id: item for item in ctx.directory.opportunities}
    if answer == "w_yes":
        current = by_id.get(ids[index]) if index < len(ids) else None
        if current is None:  # filled or withdrawn since it was shown
            return _no_match(ctx, field, gone=True)
        employer = next(
            (o for o in ctx.directory.organisations if o.id == current.organisation_id),
            OrganisationInfo(current.organisation_id, current.organisation_name),
        )
        return sharing.ask(NAME, employer, "employment", opportunity_id=current.id)
    if answer == "w_next":
        for later in range(index + 1, len(ids)):
            item = by_id.get(ids[later])
            if item is not None:
                return _show(field, ids, later, item, ctx.language)
    return _no_match(ctx, field)


def _position(data: dict) -> tuple[str, list[int], int]:
    """The field, the opportunities shown and which one is on screen (state is data
    from the database: anything malformed reads as nothing to show)."""
    field = data.get("field")
    ids = data.get("ids")
    index = data.get("index")
    return (
        field if field in (*FIELDS, ANY_FIELD) else ANY_FIELD,
        [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else [],
        index if isinstance(index, int) and index >= 0 else 0,
    )


def _no_match(ctx: FlowContext, field: str, *, gone: bool = False) -> FlowResult:
    partner = job_counselling_partner(ctx)
    question = NOTHING_QUESTION if partner else NOTHING_NO_PARTNER_QUESTION
    step = "nothing" if partner else "nothing_officer"
    before = (Reply("work.gone"),) if gone else ()
    return FlowResult(replies=(*before, question.reply()), state=state(NAME, step, field=field))


def _nothing(ctx: FlowContext) -> FlowResult:
    question = NOTHING_QUESTION if ctx.state.step == "nothing" else NOTHING_NO_PARTNER_QUESTION
    answer = question.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, question)
    field = _position(ctx.state.data)[0]
    if answer == "w_officer":
        escalation = OpenEscalation(reason="no_matching_work", severity="low", detail=field)
        return FlowResult(
            replies=(Reply("officer.request_noted"),), state=IDLE, effects=(escalation,)
        )
    partner = job_counselling_partner(ctx)
    if answer == "w_jc" and partner is not None:
        return sharing.ask(NAME, partner, "employment", note=f"job counselling; {field}")
    return FlowResult(replies=(sharing.NOT_NOW,), state=IDLE)


FLOW = FlowSpec(
    name=NAME,
    questions={
        "field": FIELD_QUESTION,
        "offer": OFFER_QUESTION,
        "offer_last": LAST_OFFER_QUESTION,
        "nothing": NOTHING_QUESTION,
        "nothing_officer": NOTHING_NO_PARTNER_QUESTION,
        sharing.STEP: sharing.SHARE_QUESTION,
    },
    step=_step,
)
