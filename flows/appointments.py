"""Appointment reminders (24 h and 2 h before): confirm, or say you cannot make it.

"Cannot make it" tells the officer at once and asks for the reason in one message. The
reminder interrupts whatever the person was doing; that question comes back after.

Officers choose the kind from a closed set (`KINDS`), each with a neutral label: a
free label typed by an officer could reach a lock screen with words that must not.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import (
    IDLE,
    AppointmentInfo,
    Choice,
    FlowContext,
    FlowResult,
    Localized,
    OpenEscalation,
    Reply,
    RespondToAppointment,
)
from flows.wording import reveals

NAME = "appointment"
REASON_CHARS = 500

KIND_LABELS = MappingProxyType(
    {
        "meeting": Localized("appointment.kind.meeting"),
        "documents": Localized("appointment.kind.documents"),
        "job_interview": Localized("appointment.kind.job_interview"),
        "counselling": Localized("appointment.kind.counselling"),
        "medical": Localized("appointment.kind.medical"),
        "other": Localized("appointment.kind.other"),
    }
)
KINDS = frozenset(KIND_LABELS)
# An empty place (none given, or words that must not be shown) reads "ask your officer".
PLACE_LABELS = MappingProxyType({"": Localized("appointment.place_unknown")})

REMINDER_QUESTION = Question(
    "appointment.reminder",
    (Choice("a_yes", "choice.will_come"), Choice("a_no", "choice.cant_come")),
    arg_names=("when", "kind", "place"),
    arg_labels={"kind": KIND_LABELS, "place": PLACE_LABELS},
)
REASON_QUESTION = Question("appointment.ask_reason", (Choice("a_skip", "choice.skip"),))


def start_reminder(appointment: AppointmentInfo, resume: dict[str, Any] | None) -> FlowResult:
    """The reminder; `resume` is the question the person had open, to ask again after."""
    place = " ".join(appointment.place.split())[:100]
    data: dict[str, Any] = {
        "id": appointment.id,
        "kind": appointment.kind if appointment.kind in KINDS else "other",
        "when": appointment.starts_at_local[:40],
        "place": "" if reveals(place) else place,
        "hours": appointment.hours_before,
    }
    if resume:
        data["resume"] = resume
    return FlowResult(
        replies=(REMINDER_QUESTION.reply(data),), state=state(NAME, "confirm", **data)
    )


# Told at once when an officer books, moves or cancels an appointment (not only by the
# reminders): the open question, if any, stays open.
def notice(ctx: FlowContext, appointment: AppointmentInfo, change: str) -> FlowResult:
    place = " ".join(appointment.place.split())[:100]
    kind = appointment.kind if appointment.kind in KINDS else "other"
    args = {
        "when": appointment.starts_at_local[:40],
        "kind": KIND_LABELS[kind],
        "place": PLACE_LABELS[""] if not place or reveals(place) else place,
    }
    match change:
        case "booked":
            reply = Reply("appointment.notice_booked", args=args)
        case "moved":
            reply = Reply("appointment.notice_moved", args=args)
        case _:
            reply = Reply("appointment.notice_cancelled", args=args)
    return FlowResult(replies=(reply,), state=ctx.state)


def upcoming(ctx: FlowContext) -> FlowResult:
    """The answer to "when is my meeting?": the next appointments, or none scheduled. The
    question the person had open stays open."""
    if not ctx.upcoming_appointments:
        return FlowResult(replies=(Reply("appointment.none_scheduled"),), state=ctx.state)
    lines = tuple(
        Localized(
            "appointment.upcoming_item",
            args={
                "when": item.starts_at_local[:40],
                "kind": KIND_LABELS[item.kind if item.kind in KINDS else "other"],
                "place": _shown_place(item.place),
            },
        )
        for item in ctx.upcoming_appointments[:3]
    )
    return FlowResult(
        replies=(Reply("appointment.upcoming", args={"items": lines}),), state=ctx.state
    )


def _shown_place(raw: str) -> object:
    place = " ".join(raw.split())[:100]
    return PLACE_LABELS[""] if not place or reveals(place) else place


def _step(ctx: FlowContext) -> FlowResult:
    if ctx.state.step == "reason":
        return _reason(ctx)
    return _confirm(ctx)


def _appointment_id(ctx: FlowContext) -> int | None:
    value = ctx.state.data.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _confirm(ctx: FlowContext) -> FlowResult:
    answer = REMINDER_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, REMINDER_QUESTION)
    appointment_id = _appointment_id(ctx)
    if appointment_id is None:
        return FlowResult(replies=(Reply("appointment.expired"),), state=IDLE)
    if answer == "a_yes":
        return FlowResult(
            replies=(Reply("appointment.confirmed"),),
            state=IDLE,
            effects=(RespondToAppointment(appointment_id, confirmed=True),),
        )
    data = {"id": appointment_id}
    if "resume" in ctx.state.data:
        data["resume"] = ctx.state.data["resume"]
    return FlowResult(
        replies=(REASON_QUESTION.reply(),),
        state=state(NAME, "reason", **data),
        effects=(
            RespondToAppointment(appointment_id, confirmed=False),
            OpenEscalation(
                reason="appointment_cant_make_it",
                severity="medium",
                detail=f"appointment {appointment_id}",
            ),
        ),
    )


def _reason(ctx: FlowContext) -> FlowResult:
    appointment_id = _appointment_id(ctx)
    if appointment_id is None:
        return FlowResult(replies=(Reply("appointment.expired"),), state=IDLE)
    if REASON_QUESTION.answer(ctx.input) == "a_skip":
        return FlowResult(replies=(Reply("appointment.no_reason"),), state=IDLE)
    reason = " ".join((ctx.input.text or "").split())[:REASON_CHARS]
    if not reason:
        return ask_again(ctx, REASON_QUESTION)
    return FlowResult(
        replies=(Reply("appointment.reason_saved"),),
        state=IDLE,
        effects=(RespondToAppointment(appointment_id, confirmed=False, reason=reason),),
    )


FLOW = FlowSpec(
    name=NAME,
    questions={"confirm": REMINDER_QUESTION, "reason": REASON_QUESTION},
    step=_step,
)
