"""Route one inbound step: crisis words first, enrollment for strangers, global intents,
then the open flow; and count what was not understood.

A journey is a module exporting a `FlowSpec`; adding one means listing it in `FLOWS`
(and, if it should hand back to whatever it interrupted, in `INTERRUPTIONS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from flows import (
    appointments,
    checkin,
    consent,
    counselling,
    crisis,
    enrollment,
    housing,
    language,
    menu,
    officer,
    pause,
    referral_offer,
    referrals,
    work,
)
from flows.matching import match_choice, match_intent, normalize
from flows.steps import NOT_UNDERSTOOD, FlowSpec
from flows.types import (
    AppointmentInfo,
    CountMisunderstanding,
    FlowContext,
    FlowResult,
    FlowState,
    ReferralInfo,
    ReferralOffer,
    Reply,
)
from flows.vocabulary import INTENT_CHOICES

FLOWS: Mapping[str, FlowSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            enrollment.FLOW,
            checkin.FLOW,
            menu.FLOW,
            language.FLOW,
            consent.FLOW,
            work.FLOW,
            housing.FLOW,
            counselling.FLOW,
            appointments.FLOW,
            referrals.FLOW,
            referral_offer.FLOW,
            officer.FLOW,
            pause.FLOW,
        )
    }
)

# Short side trips: when one finishes, the question the person was answering before
# (say, a check-in) is asked again instead of being dropped.
INTERRUPTIONS = frozenset(
    {
        menu.NAME,
        language.NAME,
        consent.NAME,
        appointments.NAME,
        referrals.NAME,
        referral_offer.NAME,
        officer.NAME,
        pause.NAME,
    }
)

HELP = Reply("help.text")
# Before enrollment is done there is no menu to point to, only the question to answer.
HELP_ENROLLING = Reply("help.enrollment")
TEXT_ONLY = Reply("common.text_only")
# Replies that mean "I did not understand": three in a row offer the officer.
MISUNDERSTOOD = frozenset({NOT_UNDERSTOOD.key, menu.FALLBACK.key, TEXT_ONLY.key})


def handle(ctx: FlowContext) -> FlowResult:
    if ctx.person is None:
        return crisis.respond(ctx) or enrollment.unknown_sender(ctx)
    # Crisis words and "stop" end whatever was open; nothing is asked again after them.
    emergency = crisis.respond(ctx)
    if emergency is not None:
        return _count(ctx, emergency)
    intent = match_intent(ctx.input) if ctx.input.readable else None
    if intent == "stop":
        return _count(ctx, pause.stop(ctx))
    return _count(ctx, _return_from_interruption(ctx, _carry_return(ctx, _route(ctx, intent))))


# A journey taken as a side trip keeps, under this key, the question to come back to.
RETURN_TO = "_return_to"


def _carry_return(ctx: FlowContext, result: FlowResult) -> FlowResult:
    """While a side-trip journey runs (work, housing...), keep the question it left; when
    the journey ends, ask that question again. A journey that turns into something else
    (the menu, another journey) drops it: the person has moved on."""
    saved = ctx.state.data.get(RETURN_TO)
    if saved is None:
        return result
    back = _saved_state(saved)
    if back is None:
        return result
    if result.state.idle:
        return replace(result, state=back, replies=(*result.replies, *open_question(back)))
    if result.state.flow == ctx.state.flow and RETURN_TO not in result.state.data:
        data = {**result.state.data, RETURN_TO: saved}
        return replace(result, state=FlowState(result.state.flow, result.state.step, data))
    return result


def start_checkin(ctx: FlowContext) -> FlowResult:
    return checkin.start(ctx)


def start_checkin_nudge(ctx: FlowContext) -> FlowResult:
    return checkin.nudge(ctx, resume_point(ctx.state))


def start_appointment_reminder(ctx: FlowContext, appointment: AppointmentInfo) -> FlowResult:
    return appointments.start_reminder(appointment, resume_point(ctx.state))


def start_appointment_notice(
    ctx: FlowContext, appointment: AppointmentInfo, change: str
) -> FlowResult:
    return appointments.notice(ctx, appointment, change)


def start_referral_update(ctx: FlowContext, referral: ReferralInfo) -> FlowResult:
    return referrals.start_update(ctx.state, referral, resume_point(ctx.state))


def start_referral_offer(ctx: FlowContext, offer: ReferralOffer) -> FlowResult:
    return referral_offer.start(ctx.state, offer, resume_point(ctx.state))


def _route(ctx: FlowContext, intent: str | None) -> FlowResult:
    if not ctx.input.readable:
        # A photo, voice note or sticker: say what works and ask the open question again.
        return FlowResult(replies=(TEXT_ONLY, *open_question(ctx.state)), state=ctx.state)
    assert ctx.person is not None
    if ctx.person.status == "invited":
        return _enrolling(ctx, intent)
    if intent is not None and not _question_offers(ctx, intent):
        return _INTENTS[intent](ctx)
    spec = open_flow(ctx.state)
    if spec is None:
        # Idle free text, no keyword: an answer to the officer while their window is open.
        return officer.pass_on(ctx) if ctx.officer_reply_open else menu.fallback(ctx)
    underneath = _answer_underneath(ctx)
    if underneath is not None:
        return underneath
    result = spec.step(ctx)
    if not result.replies or result.replies[0].key != NOT_UNDERSTOOD.key:
        return result
    return _side_trip(ctx) or result


WHICH_QUESTION = Reply("common.which_question")


def _answer_underneath(ctx: FlowContext) -> FlowResult | None:
    """A message the bot started (a reminder, a rating) asked its question over one still
    open (a check-in): bind the answer to the question it answers. A pressed button names
    its question; a bare number that both could take is not guessed at; words the newer
    question cannot take but the older one can (a mood, "хреново") go to the older one.
    The newer question is then asked again. None: the newer question takes the message."""
    spec = open_flow(ctx.state)
    below = _saved_state(ctx.state.data.get("resume")) if ctx.state.flow in INTERRUPTIONS else None
    below_spec = open_flow(below) if below is not None else None
    if spec is None or below is None or below_spec is None:
        return None
    current = spec.questions[ctx.state.step]  # type: ignore[index]
    older = below_spec.questions[below.step]  # type: ignore[index]
    if ctx.input.choice is not None:
        if any(c.id == ctx.input.choice for c in current.choices):
            return None
        if not any(c.id == ctx.input.choice for c in older.choices):
            return None
        return _answered_below(ctx, below, below_spec, current)
    text = normalize(ctx.input.text)
    if not (ctx.input.text or "").strip() or len(older.choices) < 2 or len(current.choices) < 2:
        # A free-text question (either one) takes words as they come: nothing to bind.
        return None
    if text.isdecimal():
        # Both questions are numbered: "2" could answer either, so it answers neither.
        replies = (WHICH_QUESTION, current.reply(ctx.state.data))
        return FlowResult(replies=replies, state=ctx.state)
    if match_choice(ctx.input, current.choices) is not None:
        return None
    trial = below_spec.step(replace(ctx, state=below))
    # Only a real answer binds: not "not understood", nor words merely kept as a note.
    if trial.replies and trial.replies[0].key in (NOT_UNDERSTOOD.key, checkin.NOTE_KEPT.key):
        return None
    return _answered_below(ctx, below, below_spec, current)


def _answered_below(
    ctx: FlowContext, below: FlowState, below_spec: FlowSpec, current: Any
) -> FlowResult:
    answered = below_spec.step(replace(ctx, state=below))
    data = {k: v for k, v in ctx.state.data.items() if k != "resume"}
    if not answered.state.idle and open_flow(answered.state) is not None:
        data["resume"] = {
            "flow": answered.state.flow,
            "step": answered.state.step,
            "data": dict(answered.state.data),
        }
    still = FlowState(ctx.state.flow, ctx.state.step, data)
    return FlowResult(
        replies=(*answered.replies, current.reply(ctx.state.data)),
        state=still,
        effects=answered.effects,
    )


def _side_trip(ctx: FlowContext) -> FlowResult | None:
    """Not an answer to the open question, but a clear request in the person's words. A
    short answer (the next meeting, documents) comes first and the question is asked
    again; a journey ("мне нужна работа") runs first and the question is asked again when
    it ends; the officer's offer simply gives way to it."""
    trip = menu.request_in_words(ctx)
    if trip is None:
        return None
    if trip.state.idle:
        return replace(trip, replies=(*trip.replies, *open_question(ctx.state)), state=ctx.state)
    if ctx.state.flow == officer.NAME:
        return trip
    # A journey ("мне нужна работа" during a check-in): run it, then ask again.
    back = {"flow": ctx.state.flow, "step": ctx.state.step, "data": dict(ctx.state.data)}
    data = {**trip.state.data, RETURN_TO: back}
    return replace(trip, state=FlowState(trip.state.flow, trip.state.step, data))


def _question_offers(ctx: FlowContext, intent: str) -> bool:
    """The open question has an option for exactly this (the menu's "Help", the check-in's
    "Talk to my officer"): let the question take it, so its answer is recorded."""
    if ctx.state.flow == officer.NAME and intent == "officer":
        return True  # "shall I ask your officer?" — "куратор" answers it
    spec = open_flow(ctx.state)
    if spec is None or ctx.state.step is None:
        return False
    choice = match_choice(ctx.input, spec.questions[ctx.state.step].choices)
    return choice is not None and INTENT_CHOICES.get(choice.key) == intent


def open_flow(state: FlowState) -> FlowSpec | None:
    """The flow waiting on an answer, or None (idle, or a state no flow knows any more)."""
    spec = FLOWS.get(state.flow) if state.flow else None
    return spec if spec is not None and state.step in spec.questions else None


def open_question(state: FlowState) -> tuple[Reply, ...]:
    spec = open_flow(state)
    return (spec.questions[state.step].reply(state.data),) if spec and state.step else ()


def _enrolling(ctx: FlowContext, intent: str | None) -> FlowResult:
    # Until enrollment is finished there is no menu and nothing to be private about;
    # the person only needs to get through the two questions.
    if ctx.state.flow == officer.NAME and open_flow(ctx.state) is not None:
        return officer.FLOW.step(ctx)  # "shall I ask your officer?", then back to sign-up
    if ctx.state.flow != enrollment.NAME or open_flow(ctx.state) is None or intent == "language":
        return enrollment.resume(ctx)
    if intent == "help":
        return _help(ctx, HELP_ENROLLING)
    return enrollment.FLOW.step(ctx)


def _help(ctx: FlowContext, text: Reply = HELP) -> FlowResult:
    return FlowResult(replies=(text, *open_question(ctx.state)), state=ctx.state)


def _officer(ctx: FlowContext) -> FlowResult:
    return FlowResult(
        replies=(officer.OFFICER_TOLD, *open_question(ctx.state)),
        state=ctx.state,
        effects=(officer.ask_officer(),),
    )


def _start(ctx: FlowContext) -> FlowResult:
    resumed = pause.resume(ctx)
    if resumed is None:
        return menu.open_menu(resume_point(ctx.state))
    return replace(resumed, replies=(*resumed.replies, *open_question(ctx.state)))


def resume_point(state: FlowState) -> dict[str, Any] | None:
    """The question to come back to after a side trip from `state` (None: nothing open)."""
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


def _count(ctx: FlowContext, result: FlowResult) -> FlowResult:
    """Count replies in a row the bot did not understand; at the third, offer the officer
    (once: not again while that offer is the open question)."""
    person = ctx.person
    if person is None:
        return result
    missed = bool(result.replies) and result.replies[0].key in MISUNDERSTOOD
    if not missed:
        if person.misunderstood_in_row <= 0:
            return result
        return replace(result, effects=(*result.effects, CountMisunderstanding(reset=True)))
    effects = (*result.effects, CountMisunderstanding(reset=False))
    in_a_row = person.misunderstood_in_row + 1
    # Someone still signing up has no menu to fall back on: offer a person sooner.
    enrolling = person.status == "invited"
    needed = (
        officer.MISSES_BEFORE_OFFER_ENROLLING
        if enrolling
        else officer.MISUNDERSTANDINGS_BEFORE_OFFER
    )
    if in_a_row < needed or result.state.flow == officer.NAME:
        return replace(result, effects=effects)
    first = result.replies[0] if result.replies[0].key == TEXT_ONLY.key else NOT_UNDERSTOOD
    offered = officer.offer(resume_point(result.state))
    return FlowResult(replies=(first, *offered.replies), state=offered.state, effects=effects)


_INTENTS: Mapping[str, Callable[[FlowContext], FlowResult]] = MappingProxyType(
    {
        "help": _help,
        "menu": lambda ctx: menu.open_menu(resume_point(ctx.state)),
        "language": lambda ctx: language.open_language(resume_point(ctx.state)),
        "privacy": lambda ctx: consent.open_privacy(resume_point(ctx.state), ctx.person),
        "officer": _officer,
        "start": _start,
        "meeting": appointments.upcoming,
    }
)
