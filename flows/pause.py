"""stop / start: a paused person gets only essential messages (appointment reminders).

On SMS the channel answers STOP and START itself before any flow runs (the carrier's
opt-out rules); these are the same words for Telegram, and for anything else.
"""

from __future__ import annotations

from typing import Any

from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import IDLE, Choice, FlowContext, FlowResult, Reply, SetPaused

NAME = "pause"
# "хватит мне писать", "stop texting me": asked, not assumed (it may be a bad day).
ASK_STOP = Question("pause.ask_stop", (Choice("p_yes", "choice.yes"), Choice("p_no", "choice.no")))
KEEP = Reply("pause.keep")


def stop(ctx: FlowContext) -> FlowResult:
    # Whatever was open is dropped: nothing more is asked until the person comes back.
    return FlowResult(replies=(Reply("pause.stopped"),), state=IDLE, effects=(SetPaused(True),))


def resume(ctx: FlowContext) -> FlowResult | None:
    """Unpause; None when the person was not paused (then "start" opens the menu)."""
    if ctx.person is None or not ctx.person.paused:
        return None
    return FlowResult(
        replies=(Reply("pause.resumed"),), state=ctx.state, effects=(SetPaused(False),)
    )


def ask_stop(resume: dict[str, Any] | None) -> FlowResult:
    data = {"resume": resume} if resume else {}
    return FlowResult(replies=(ASK_STOP.reply(),), state=state(NAME, "ask", **data))


def _step(ctx: FlowContext) -> FlowResult:
    answer = ASK_STOP.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, ASK_STOP)
    if answer == "p_yes":
        return stop(ctx)
    # A side trip: whatever was open before is asked again (flows/engine.py).
    return FlowResult(replies=(KEEP,), state=IDLE)


FLOW = FlowSpec(name=NAME, questions={"ask": ASK_STOP}, step=_step)
