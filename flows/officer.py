"""Talking to the officer: asked for at any time, and offered when the bot keeps failing
to understand (three times in a row)."""

from __future__ import annotations

from typing import Any

from flows.matching import match_intent
from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import (
    IDLE,
    Choice,
    FlowContext,
    FlowResult,
    OpenEscalation,
    PassToOfficer,
    Reply,
)

NAME = "officer_offer"
MISUNDERSTANDINGS_BEFORE_OFFER = 3
# During sign-up there is no menu to fall back on: two misses are enough.
MISSES_BEFORE_OFFER_ENROLLING = 2

OFFICER_TOLD = Reply("officer.will_be_told")
OFFER_QUESTION = Question(
    "officer.offer", (Choice("o_yes", "choice.yes"), Choice("o_no", "choice.no"))
)


def ask_officer(detail: str = "") -> OpenEscalation:
    return OpenEscalation(reason="asked_officer", severity="medium", detail=detail)


def pass_on(ctx: FlowContext) -> FlowResult:
    """Free text after the officer wrote: the bot says it passed it on, never answers as
    the officer."""
    return FlowResult(
        replies=(Reply("officer.reply_passed_on"),), state=ctx.state, effects=(PassToOfficer(),)
    )


def offer(resume: dict[str, Any] | None) -> FlowResult:
    data = {"resume": resume} if resume else {}
    return FlowResult(replies=(OFFER_QUESTION.reply(),), state=state(NAME, "offer", **data))


def _step(ctx: FlowContext) -> FlowResult:
    answer = OFFER_QUESTION.answer(ctx.input)
    if answer is None and match_intent(ctx.input) == "officer":
        answer = "o_yes"  # "куратор" again: that is a yes, and one request, not two
    match answer:
        case "o_yes":
            return FlowResult(
                replies=(OFFICER_TOLD,), state=IDLE, effects=(ask_officer("misunderstood"),)
            )
        case "o_no":
            return FlowResult(replies=(Reply("officer.offer_declined"),), state=IDLE)
        case _:
            return ask_again(ctx, OFFER_QUESTION)


FLOW = FlowSpec(name=NAME, questions={"offer": OFFER_QUESTION}, step=_step)
