"""What happened to a referral, in one short message; after completion, "was it helpful?".

Accepted and declined change nothing in the conversation (the person may be in the
middle of something); completed asks for a rating and then hands back whatever question
was open.
"""

from __future__ import annotations

from typing import Any

from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import (
    IDLE,
    Choice,
    FlowContext,
    FlowResult,
    FlowState,
    RateReferral,
    ReferralInfo,
    Reply,
)

NAME = "referral"
NAME_CHARS = 60

RATING_QUESTION = Question(
    "referral.ask_rating",
    (
        Choice("r1", "choice.mood_1"),
        Choice("r2", "choice.mood_2"),
        Choice("r3", "choice.mood_3"),
        Choice("r4", "choice.mood_4"),
        Choice("r5", "choice.mood_5"),
    ),
    arg_names=("organisation",),
)
RATING_BY_CHOICE = {"r1": 1, "r2": 2, "r3": 3, "r4": 4, "r5": 5}


def start_update(
    current: FlowState, referral: ReferralInfo, resume: dict[str, Any] | None
) -> FlowResult:
    organisation = " ".join(referral.organisation_name.split())[:NAME_CHARS]
    match referral.status:
        case "accepted":
            return FlowResult(
                replies=(Reply("referral.accepted", {"organisation": organisation}),),
                state=current,
            )
        case "declined":
            return FlowResult(
                replies=(Reply("referral.declined", {"organisation": organisation}),),
                state=current,
            )
        case "completed":
            data: dict[str, Any] = {"id": referral.id, "organisation": organisation}
            if resume:
                data["resume"] = resume
            return FlowResult(
                replies=(RATING_QUESTION.reply(data),), state=state(NAME, "rate", **data)
            )
        case _:
            return FlowResult(
                replies=(Reply("referral.updated", {"organisation": organisation}),),
                state=current,
            )


def _step(ctx: FlowContext) -> FlowResult:
    answer = RATING_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, RATING_QUESTION)
    referral_id = ctx.state.data.get("id")
    if not isinstance(referral_id, int) or isinstance(referral_id, bool):
        return FlowResult(replies=(Reply("referral.thanks"),), state=IDLE)
    return FlowResult(
        replies=(Reply("referral.thanks"),),
        state=IDLE,
        effects=(RateReferral(referral_id=referral_id, rating=RATING_BY_CHOICE[answer]),),
    )


FLOW = FlowSpec(name=NAME, questions={"rate": RATING_QUESTION}, step=_step)
