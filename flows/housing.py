"""Housing: tonight, this week or later.

Tonight cannot wait for a referral: shelter contacts for the person's region go out at
once (the hotlines when the directory lists none), and the officer gets a high
escalation. Otherwise the person is introduced to a housing partner, if they agree.
"""

from __future__ import annotations

from flows import sharing
from flows.crisis import hotline_lines
from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import IDLE, Choice, FlowContext, FlowResult, OpenEscalation, Reply

NAME = "housing"
MAX_SHELTERS = 3

WHEN_QUESTION = Question(
    "housing.ask_when",
    (
        Choice("h_tonight", "choice.tonight"),
        Choice("h_week", "choice.this_week"),
        Choice("h_later", "choice.later"),
        Choice("h_no", "choice.not_now"),
    ),
)
NO_PARTNER_QUESTION = Question(
    "housing.no_partner",
    (Choice("h_officer", "choice.tell_officer"), Choice("h_no", "choice.not_now")),
)
WHEN_NOTE = {"h_week": "this_week", "h_later": "later"}


def start(ctx: FlowContext) -> FlowResult:
    return FlowResult(replies=(WHEN_QUESTION.reply(),), state=state(NAME, "when"))


def _step(ctx: FlowContext) -> FlowResult:
    match ctx.state.step:
        case "no_partner":
            return _no_partner(ctx)
        case sharing.STEP:
            return sharing.answer(ctx)
        case _:
            return _when(ctx)


def _when(ctx: FlowContext) -> FlowResult:
    answer = WHEN_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, WHEN_QUESTION)
    if answer == "h_tonight":
        return tonight(ctx)
    if answer == "h_no":
        return FlowResult(replies=(sharing.NOT_NOW,), state=IDLE)
    note = WHEN_NOTE[answer]
    partner = sharing.first_partner(ctx, "housing")
    if partner is None:
        return FlowResult(
            replies=(NO_PARTNER_QUESTION.reply(),), state=state(NAME, "no_partner", when=note)
        )
    return sharing.ask(NAME, partner, "housing", note=note)


def tonight(ctx: FlowContext) -> FlowResult:
    shelters = [
        org
        for org in ctx.directory.organisations
        if "shelter" in org.services and org.contact_phone and org.in_region
    ][:MAX_SHELTERS]
    if shelters:
        contacts = "\n".join(f"{org.name[:40]}: {org.contact_phone}" for org in shelters)
        where = Reply("housing.shelters", {"contacts": contacts})
        detail = ""
    else:
        where = Reply("housing.no_shelters", {"hotlines": hotline_lines(ctx.deployment)})
        detail = "no shelter listed"
    return FlowResult(
        replies=(where, Reply("housing.officer_told")),
        state=IDLE,
        effects=(OpenEscalation(reason="housing_tonight", severity="high", detail=detail),),
    )


def _no_partner(ctx: FlowContext) -> FlowResult:
    answer = NO_PARTNER_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, NO_PARTNER_QUESTION)
    if answer == "h_no":
        return FlowResult(replies=(sharing.NOT_NOW,), state=IDLE)
    when = ctx.state.data.get("when")
    detail = when if isinstance(when, str) and when in WHEN_NOTE.values() else ""
    return FlowResult(
        replies=(Reply("officer.request_noted"),),
        state=IDLE,
        effects=(OpenEscalation(reason="no_housing_partner", severity="low", detail=detail),),
    )


FLOW = FlowSpec(
    name=NAME,
    questions={
        "when": WHEN_QUESTION,
        "no_partner": NO_PARTNER_QUESTION,
        sharing.STEP: sharing.SHARE_QUESTION,
    },
    step=_step,
)
