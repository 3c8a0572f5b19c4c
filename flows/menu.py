"""The menu: what a person can ask for at any time."""

from __future__ import annotations

from typing import Any

from flows import appointments, counselling, housing, pause, work
from flows.consent import open_privacy
from flows.language import open_language
from flows.matching import normalize
from flows.officer import OFFICER_TOLD, ask_officer
from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import IDLE, Choice, FlowContext, FlowResult, Reply
from flows.understanding import Understanding, understand

NAME = "menu"

# Two levels, so that a numbered SMS menu stays within two segments in every language:
# what people come for, then settings and help under "More".
MENU_CHOICES = (
    Choice("u_work", "choice.work"),
    Choice("u_housing", "choice.housing"),
    Choice("u_counselling", "choice.counselling"),
    Choice("u_officer", "choice.officer"),
    Choice("u_more", "choice.more"),
)
MENU_QUESTION = Question("menu.ask", MENU_CHOICES)
MORE_QUESTION = Question(
    "menu.more",
    (
        Choice("u_lang", "choice.language"),
        Choice("u_privacy", "choice.privacy"),
        Choice("u_help", "choice.help"),
    ),
)
# Not understood: said honestly, with the menu (never "thank you" for an unread message).
FALLBACK = Reply("idle.fallback", choices=MENU_CHOICES)
GREETING = Reply("idle.greeting", choices=MENU_CHOICES)
WELCOME = Reply("idle.welcome")


def open_menu(resume: dict[str, Any] | None) -> FlowResult:
    data = {"resume": resume} if resume else {}
    return FlowResult(replies=(MENU_QUESTION.reply(),), state=state(NAME, "choose", **data))


def fallback(ctx: FlowContext) -> FlowResult:
    """An idle person wrote something no question is waiting for. A menu entry's words
    ("работа", "housing") go straight there; anything else gets a short answer and the
    menu. (A bare number is not taken as a menu entry: it is more likely an answer to
    an old question.)"""
    text = normalize(ctx.input.text)
    if ctx.input.choice is None and text and not text.isdecimal():
        choice = MENU_QUESTION.answer(ctx.input)
        if choice is not None:
            return _chosen(ctx, choice, None)
        understood = _understood(ctx, understand(ctx.input.text or ""))
        if understood is not None:
            return understood
    return FlowResult(replies=(FALLBACK,), state=state(NAME, "choose"))


def request_in_words(ctx: FlowContext) -> FlowResult | None:
    """What a free-text message asks for, when it asks for something; None otherwise."""
    if ctx.input.choice is not None or not ctx.input.text:
        return None
    understanding = understand(ctx.input.text)
    if not any(c.startswith(("request.", "intent.")) for c in understanding.intents):
        return None  # a greeting or "ok" is no reason to leave a question
    return _understood(ctx, understanding)


def _understood(ctx: FlowContext, understanding: Understanding) -> FlowResult | None:
    """Free text read by the language layer (flows/understanding): a request starts its
    journey ("жить негде" → housing, "мне негде ночевать сегодня" → tonight), a greeting
    or thanks gets its answer. None when nothing was recognised."""
    for concept in understanding.intents:
        match concept:
            case "request.housing_tonight":
                return housing.tonight(ctx)
            case "request.housing":
                return housing.start(ctx)
            case "request.work":
                return work.start(ctx)
            case "request.religious_counselling" | "request.psychological_support":
                return counselling.start(ctx)
            case "request.appointment_question":
                return appointments.upcoming(ctx)
            case "request.documents" | "intent.officer":
                # No partner offers documents yet: the officer helps with them.
                return FlowResult(replies=(OFFICER_TOLD,), state=IDLE, effects=(ask_officer(),))
            case "intent.stop_writing":
                return pause.ask_stop(None)
            case "intent.help":
                return FlowResult(replies=(Reply("help.text"),), state=IDLE)
            case "intent.menu":
                return open_menu(None)
            case "talk.greeting":
                return FlowResult(replies=(GREETING,), state=state(NAME, "choose"))
            case "talk.thanks" | "talk.ok":
                return FlowResult(replies=(WELCOME,), state=IDLE)
    return None


def _step(ctx: FlowContext) -> FlowResult:
    question = MORE_QUESTION if ctx.state.step == "more" else MENU_QUESTION
    choice = question.answer(ctx.input)
    if choice is None:
        return ask_again(ctx, question)
    return _chosen(ctx, choice, ctx.state.data.get("resume"))


def _chosen(ctx: FlowContext, choice: str, resume: Any) -> FlowResult:
    match choice:
        case "u_work":
            return work.start(ctx)
        case "u_housing":
            return housing.start(ctx)
        case "u_counselling":
            return counselling.start(ctx)
        case "u_officer":
            return FlowResult(replies=(OFFICER_TOLD,), state=IDLE, effects=(ask_officer(),))
        case "u_more":
            data = {"resume": resume} if resume else {}
            return FlowResult(replies=(MORE_QUESTION.reply(),), state=state(NAME, "more", **data))
        case "u_lang":
            return open_language(resume)
        case "u_privacy":
            return open_privacy(resume, ctx.person)
        case _:
            return FlowResult(replies=(Reply("help.text"),), state=IDLE)


FLOW = FlowSpec(name=NAME, questions={"choose": MENU_QUESTION, "more": MORE_QUESTION}, step=_step)
