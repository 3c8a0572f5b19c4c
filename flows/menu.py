"""The menu: what a person can ask for at any time."""

from __future__ import annotations

from typing import Any

from flows.consent import open_privacy
from flows.language import open_language
from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import IDLE, Choice, FlowContext, FlowResult, OpenEscalation, Reply

NAME = "menu"

# Work, housing and counselling join this list when their journeys exist; until then
# the menu offers only what really happens when chosen.
MENU_CHOICES = (
    Choice("u_officer", "choice.officer"),
    Choice("u_lang", "choice.language"),
    Choice("u_privacy", "choice.privacy"),
    Choice("u_help", "choice.help"),
)
MENU_QUESTION = Question("menu.ask", MENU_CHOICES)

OFFICER_TOLD = Reply("officer.will_be_told")


def ask_officer() -> OpenEscalation:
    return OpenEscalation(reason="asked_officer", severity="medium")


def open_menu(resume: dict[str, Any] | None) -> FlowResult:
    data = {"resume": resume} if resume else {}
    return FlowResult(replies=(MENU_QUESTION.reply(),), state=state(NAME, "choose", **data))


def fallback(ctx: FlowContext) -> FlowResult:
    """An idle person wrote something we have no journey for: answer, and show the menu."""
    reply = Reply("idle.fallback", choices=MENU_CHOICES)
    return FlowResult(replies=(reply,), state=state(NAME, "choose"))


def _step(ctx: FlowContext) -> FlowResult:
    resume = ctx.state.data.get("resume")
    match MENU_QUESTION.answer(ctx.input):
        case "u_officer":
            return FlowResult(replies=(OFFICER_TOLD,), state=IDLE, effects=(ask_officer(),))
        case "u_lang":
            return open_language(resume)
        case "u_privacy":
            return open_privacy(resume)
        case "u_help":
            return FlowResult(replies=(Reply("help.text"),), state=IDLE)
        case _:
            return ask_again(ctx, MENU_QUESTION)


FLOW = FlowSpec(name=NAME, questions={"choose": MENU_QUESTION}, step=_step)
