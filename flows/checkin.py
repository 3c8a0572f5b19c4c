"""The scheduled check-in: how are you (1-5), anything you need, anything to add.

Two low answers in a row (1-2 now and at the last check-in) tell the officer. A need
for work, housing or counselling leads straight into that journey once the check-in
is answered. The bot decides when check-ins and nudges go out, never this module.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from flows import counselling, housing, work
from flows.officer import OFFICER_TOLD, ask_officer
from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import (
    IDLE,
    Choice,
    Effect,
    FlowContext,
    FlowResult,
    OpenEscalation,
    RecordCheckInAnswer,
    Reply,
)
from flows.understanding import understand

NAME = "checkin"
LOW_MOOD = 2  # 1 and 2 are low
NOTE_CHARS = 1000

MOOD_CHOICES = (
    Choice("m1", "choice.mood_1"),
    Choice("m2", "choice.mood_2"),
    Choice("m3", "choice.mood_3"),
    Choice("m4", "choice.mood_4"),
    Choice("m5", "choice.mood_5"),
)
MOOD_QUESTION = Question("checkin.ask_mood", MOOD_CHOICES)
MOOD_BY_CHOICE = {"m1": 1, "m2": 2, "m3": 3, "m4": 4, "m5": 5}

NEED_CHOICES = (
    Choice("n_work", "choice.work"),
    Choice("n_housing", "choice.housing"),
    Choice("n_counselling", "choice.counselling"),
    Choice("n_officer", "choice.officer"),
    Choice("n_ok", "choice.all_good"),
)
NEED_QUESTION = Question("checkin.ask_need", NEED_CHOICES)
NEED_BY_CHOICE = {
    "n_work": "work",
    "n_housing": "housing",
    "n_counselling": "counselling",
    "n_officer": "officer",
    "n_ok": "ok",
}
NOTE_CHOICES = (Choice("skip", "choice.skip"),)
NOTE_QUESTION = Question("checkin.ask_note", NOTE_CHOICES)

# The same questions with a reminder in front, for the one nudge before a check-in
# counts as missed.
NUDGES = MappingProxyType(
    {
        "mood": Question("checkin.nudge_mood", MOOD_CHOICES),
        "need": Question("checkin.nudge_need", NEED_CHOICES),
        "note": Question("checkin.nudge_note", NOTE_CHOICES),
    }
)

THANKS = Reply("checkin.thanks")
SORRY = Reply("checkin.sorry")
JOURNEYS: MappingProxyType[str, Callable[[FlowContext], FlowResult]] = MappingProxyType(
    {
        "work": work.start,
        "housing": housing.start,
        "counselling": counselling.start,
    }
)


def start(ctx: FlowContext) -> FlowResult:
    return FlowResult(replies=(MOOD_QUESTION.reply(),), state=state(NAME, "mood"))


def nudge(ctx: FlowContext, resume: dict[str, Any] | None) -> FlowResult:
    """Remind the person of the check-in question still open (or ask it anew)."""
    open_step = resume.get("step") if resume and resume.get("flow") == NAME else None
    if not isinstance(open_step, str) or open_step not in NUDGES:
        return FlowResult(replies=(NUDGES["mood"].reply(),), state=state(NAME, "mood"))
    data = resume.get("data", {}) if resume else {}
    return FlowResult(replies=(NUDGES[open_step].reply(),), state=state(NAME, open_step, **data))


def _step(ctx: FlowContext) -> FlowResult:
    match ctx.state.step:
        case "need":
            return _need(ctx)
        case "note":
            return _note(ctx)
        case _:
            return _mood(ctx)


# How people say how they are, read by the language layer ("хреново", "норм", "жаман",
# "not great", 👍, 😢): the concepts in flows/data/concepts_<lang>.txt.
MOOD_BY_CONCEPT = {
    "mood.very_bad": 1,
    "mood.bad": 2,
    "mood.so_so": 3,
    "mood.good": 4,
    "mood.very_good": 5,
}


def mood_in_words(text: str | None) -> int | None:
    """The mood a free-text answer states (the most specific concept found), or None."""
    if not text:
        return None
    for concept in understand(text).intents:
        if concept in MOOD_BY_CONCEPT:
            return MOOD_BY_CONCEPT[concept]
    return None


NOTE_KEPT = Reply("checkin.note_kept")
# Fewer words than this is more likely a slip ("ываыв", "?") than something to pass on.
NOTE_MIN_WORDS = 2


def kept_as_note(ctx: FlowContext, question: Question) -> FlowResult | None:
    """Words that answer neither the question nor ask for anything ("дома опять ссоры")
    are the person's news: kept as this check-in's note for the officer, and the question
    asked again. A request is left to the engine (a side trip); a slip is not kept."""
    text = (ctx.input.text or "").strip()
    if len(text.split()) < NOTE_MIN_WORDS:
        return None
    if any(c.startswith(("request.", "intent.")) for c in understand(text).intents):
        return None
    return FlowResult(
        replies=(NOTE_KEPT, question.reply(ctx.state.data)),
        state=ctx.state,
        effects=(RecordCheckInAnswer(note=text[:NOTE_CHARS]),),
    )


def _mood(ctx: FlowContext) -> FlowResult:
    answer = MOOD_QUESTION.answer(ctx.input)
    mood = MOOD_BY_CHOICE[answer] if answer is not None else mood_in_words(ctx.input.text)
    if mood is None:
        return kept_as_note(ctx, MOOD_QUESTION) or ask_again(ctx, MOOD_QUESTION)
    effects: tuple[Effect, ...] = (RecordCheckInAnswer(mood=mood),)
    replies: tuple[Reply, ...] = (NEED_QUESTION.reply(),)
    if mood <= LOW_MOOD:
        replies = (SORRY, *replies)
        last = ctx.person.last_mood if ctx.person else None
        if last is not None and last <= LOW_MOOD:
            effects = (
                *effects,
                OpenEscalation(reason="low_mood", severity="medium", detail=f"{last}, {mood}"),
            )
    return FlowResult(replies=replies, state=state(NAME, "need"), effects=effects)


def _need(ctx: FlowContext) -> FlowResult:
    answer = NEED_QUESTION.answer(ctx.input)
    if answer is None:
        return kept_as_note(ctx, NEED_QUESTION) or ask_again(ctx, NEED_QUESTION)
    need = NEED_BY_CHOICE[answer]
    effects: tuple[Effect, ...] = (RecordCheckInAnswer(need=need),)
    replies: tuple[Reply, ...] = (NOTE_QUESTION.reply(),)
    if need == "officer":
        effects = (*effects, ask_officer())
        replies = (OFFICER_TOLD, *replies)
    return FlowResult(replies=replies, state=state(NAME, "note", need=need), effects=effects)


def _note(ctx: FlowContext) -> FlowResult:
    if NOTE_QUESTION.answer(ctx.input) == "skip":
        note = None
    else:
        note = (ctx.input.text or "").strip()[:NOTE_CHARS] or None
        if note is None:
            return ask_again(ctx, NOTE_QUESTION)
    answered = RecordCheckInAnswer(note=note, complete=True)
    journey = JOURNEYS.get(str(ctx.state.data.get("need")))
    if journey is None:
        return FlowResult(replies=(THANKS,), state=IDLE, effects=(answered,))
    follow = journey(ctx)
    return FlowResult(
        replies=(THANKS, *follow.replies),
        state=follow.state,
        effects=(answered, *follow.effects),
    )


FLOW = FlowSpec(
    name=NAME,
    questions={"mood": MOOD_QUESTION, "need": NEED_QUESTION, "note": NOTE_QUESTION},
    step=_step,
)
