"""The scheduled check-in: how are you (1-5), and is there anything you need."""

from __future__ import annotations

from flows.menu import OFFICER_TOLD, ask_officer
from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import (
    IDLE,
    Choice,
    Effect,
    FlowContext,
    FlowResult,
    RecordCheckInAnswer,
    Reply,
)

NAME = "checkin"

MOOD_QUESTION = Question(
    "checkin.ask_mood",
    (
        Choice("m1", "choice.mood_1"),
        Choice("m2", "choice.mood_2"),
        Choice("m3", "choice.mood_3"),
        Choice("m4", "choice.mood_4"),
        Choice("m5", "choice.mood_5"),
    ),
)
MOOD_BY_CHOICE = {"m1": 1, "m2": 2, "m3": 3, "m4": 4, "m5": 5}

NEED_QUESTION = Question(
    "checkin.ask_need",
    (
        Choice("n_work", "choice.work"),
        Choice("n_housing", "choice.housing"),
        Choice("n_counselling", "choice.counselling"),
        Choice("n_officer", "choice.officer"),
        Choice("n_ok", "choice.all_good"),
    ),
)
NEED_BY_CHOICE = {
    "n_work": "work",
    "n_housing": "housing",
    "n_counselling": "counselling",
    "n_officer": "officer",
    "n_ok": "ok",
}

THANKS = Reply("checkin.thanks")
# Until the work, housing and counselling journeys exist, the answer itself is the
# request: the officer sees it with the check-in.
HELP_ARRANGED = Reply("checkin.help_arranged")


def start(ctx: FlowContext) -> FlowResult:
    return FlowResult(replies=(MOOD_QUESTION.reply(),), state=state(NAME, "mood"))


def _step(ctx: FlowContext) -> FlowResult:
    if ctx.state.step == "need":
        return _need(ctx)
    return _mood(ctx)


def _mood(ctx: FlowContext) -> FlowResult:
    answer = MOOD_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, MOOD_QUESTION)
    return FlowResult(
        replies=(NEED_QUESTION.reply(),),
        state=state(NAME, "need"),
        effects=(RecordCheckInAnswer(mood=MOOD_BY_CHOICE[answer]),),
    )


def _need(ctx: FlowContext) -> FlowResult:
    answer = NEED_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, NEED_QUESTION)
    need = NEED_BY_CHOICE[answer]
    effects: tuple[Effect, ...] = (RecordCheckInAnswer(need=need, complete=True),)
    replies: tuple[Reply, ...] = (THANKS,)
    if need == "officer":
        effects = (*effects, ask_officer())
        replies = (*replies, OFFICER_TOLD)
    elif need != "ok":
        replies = (*replies, HELP_ARRANGED)
    return FlowResult(replies=replies, state=IDLE, effects=effects)


FLOW = FlowSpec(
    name=NAME,
    questions={"mood": MOOD_QUESTION, "need": NEED_QUESTION},
    step=_step,
)
