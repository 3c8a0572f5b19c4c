"""stop / start: a paused person gets only essential messages (appointment reminders).

On SMS the channel answers STOP and START itself before any flow runs (the carrier's
opt-out rules); these are the same words for Telegram, and for anything else.
"""

from __future__ import annotations

from flows.types import IDLE, FlowContext, FlowResult, Reply, SetPaused


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
