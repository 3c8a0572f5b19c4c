"""Route one inbound step: enrollment for strangers, global intents, then the open flow.

A journey is a module exporting a `FlowSpec`; adding one means listing it in `FLOWS`
(and, if it should hand back to whatever it interrupted, in `INTERRUPTIONS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from flows import checkin, consent, enrollment, language, menu
from flows.matching import match_intent
from flows.steps import FlowSpec
from flows.types import FlowContext, FlowResult, FlowState, Reply

FLOWS: Mapping[str, FlowSpec] = MappingProxyType({
    spec.name: spec
    for spec in (enrollment.FLOW, checkin.FLOW, menu.FLOW, language.FLOW, consent.FLOW)
})

# Short side trips: when one finishes, the question the person was answering before
# (say, a check-in) is asked again instead of being dropped.
INTERRUPTIONS = frozenset({menu.NAME, language.NAME, consent.NAME})

HELP = Reply("help.text")
# Before enrollment is done there is no menu to point to, only the question to answer.
HELP_ENROLLING = Reply("help.enrollment")


def handle(ctx: FlowContext) -> FlowResult:
    return _return_from_interruption(ctx, _route(ctx))


def start_checkin(ctx: FlowContext) -> FlowResult:
    return checkin.start(ctx)


TEXT_ONLY = Reply("common.text_only")


def _route(ctx: FlowContext) -> FlowResult:
    if ctx.person is None:
        return enrollment.unknown_sender(ctx)
    if not ctx.input.readable:
        # A photo, voice note or sticker: say what works and ask the open question again.
        return FlowResult(replies=(TEXT_ONLY, *open_question(ctx.state)), state=ctx.state)
    intent = match_intent(ctx.input)
    if ctx.person.status == "invited":
        return _enrolling(ctx, intent)
    if intent is not None:
        return _INTENTS[intent](ctx)
    spec = open_flow(ctx.state)
    if spec is None:
        return menu.fallback(ctx)
    return spec.step(ctx)


def open_flow(state: FlowState) -> FlowSpec | None:
    """The flow waiting on an answer, or None (idle, or a state no flow knows any more)."""
    spec = FLOWS.get(state.flow) if state.flow else None
    return spec if spec is not None and state.step in spec.questions else None


def open_question(state: FlowState) -> tuple[Reply, ...]:
    spec = open_flow(state)
    return (spec.questions[state.step].reply(),) if spec and state.step else ()


def _enrolling(ctx: FlowContext, intent: str | None) -> FlowResult:
    # Until enrollment is finished there is no menu and nothing to be private about;
    # the person only needs to get through the two questions.
    if ctx.state.flow != enrollment.NAME or open_flow(ctx.state) is None or intent == "language":
        return enrollment.resume(ctx)
    if intent == "help":
        return _help(ctx, HELP_ENROLLING)
    return enrollment.FLOW.step(ctx)


def _help(ctx: FlowContext, text: Reply = HELP) -> FlowResult:
    return FlowResult(replies=(text, *open_question(ctx.state)), state=ctx.state)


def _resume_point(state: FlowState) -> dict[str, Any] | None:
    if state.flow in INTERRUPTIONS:
        saved = state.data.get("resume")
        return saved if _saved_state(saved) is not None else None
    if open_flow(state) is None:
        return None
    return {"flow": state.flow, "step": state.step, "data": dict(state.data)}


def _saved_state(saved: object) -> FlowState | None:
    # State comes back from the database as JSON; anything malformed is dropped
    # rather than trusted.
    if not isinstance(saved, dict):
        return None
    flow, step, data = saved.get("flow"), saved.get("step"), saved.get("data", {})
    if not isinstance(flow, str) or not isinstance(step, str) or not isinstance(data, dict):
        return None
    resumed = FlowState(flow=flow, step=step, data=data)
    if flow in INTERRUPTIONS or open_flow(resumed) is None:
        return None
    return resumed


def _return_from_interruption(ctx: FlowContext, result: FlowResult) -> FlowResult:
    if not result.state.idle or ctx.state.flow not in INTERRUPTIONS:
        return result
    resumed = _saved_state(ctx.state.data.get("resume"))
    if resumed is None:
        return result
    return replace(result, state=resumed, replies=(*result.replies, *open_question(resumed)))


_INTENTS: Mapping[str, Callable[[FlowContext], FlowResult]] = MappingProxyType({
    "help": _help,
    "menu": lambda ctx: menu.open_menu(_resume_point(ctx.state)),
    "language": lambda ctx: language.open_language(_resume_point(ctx.state)),
    "privacy": lambda ctx: consent.open_privacy(_resume_point(ctx.state)),
})
