"""Counselling: a theologian, a psychologist or both; in person, by phone or in chat.

The bot never advises on faith or feelings itself: it introduces the person to people
who do, only if they want it ("not now" is on every question, and nothing is pushed).
"""

from __future__ import annotations

from flows import sharing
from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import IDLE, Choice, FlowContext, FlowResult, OpenEscalation, Reply

NAME = "counselling"

WHO_QUESTION = Question(
    "counselling.ask_who",
    (
        Choice("k_theologian", "choice.theologian"),
        Choice("k_psychologist", "choice.psychologist"),
        Choice("k_both", "choice.both"),
        Choice("k_no", "choice.not_now"),
    ),
)
HOW_QUESTION = Question(
    "counselling.ask_how",
    (
        Choice("k_in_person", "choice.in_person"),
        Choice("k_phone", "choice.by_phone"),
        Choice("k_chat", "choice.in_chat"),
        Choice("k_no", "choice.not_now"),
    ),
)
NO_PARTNER_QUESTION = Question(
    "counselling.no_partner",
    (Choice("k_officer", "choice.tell_officer"), Choice("k_no", "choice.not_now")),
)
CONFIDENTIAL = Reply("counselling.confidential")

WHO = {"k_theologian": "theologian", "k_psychologist": "psychologist", "k_both": "both"}
# The partner services that can answer each wish.
SERVICES = {
    "theologian": ("religious_counselling",),
    "psychologist": ("psychological_support",),
    "both": ("psychological_support", "religious_counselling"),
}
HOW = {"k_in_person": "in person", "k_phone": "phone", "k_chat": "chat"}


def start(ctx: FlowContext) -> FlowResult:
    return FlowResult(replies=(WHO_QUESTION.reply(),), state=state(NAME, "who"))


def _step(ctx: FlowContext) -> FlowResult:
    match ctx.state.step:
        case "how":
            return _how(ctx)
        case "no_partner":
            return _no_partner(ctx)
        case sharing.STEP:
            return sharing.answer(ctx)
        case _:
            return _who(ctx)


def _who(ctx: FlowContext) -> FlowResult:
    answer = WHO_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, WHO_QUESTION)
    if answer == "k_no":
        return FlowResult(replies=(sharing.NOT_NOW,), state=IDLE)
    return FlowResult(replies=(HOW_QUESTION.reply(),), state=state(NAME, "how", who=WHO[answer]))


def _how(ctx: FlowContext) -> FlowResult:
    answer = HOW_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, HOW_QUESTION)
    if answer == "k_no":
        return FlowResult(replies=(sharing.NOT_NOW,), state=IDLE)
    who = ctx.state.data.get("who")
    # Plain data for the partner: what kind of counsellor, and how to meet. Never words
    # the person wrote.
    note = f"{who if who in WHO.values() else 'any'}; {HOW[answer]}"
    service = SERVICES.get(who, SERVICES["both"]) if isinstance(who, str) else SERVICES["both"]
    partner = sharing.first_partner(ctx, *service)
    if partner is None:
        return FlowResult(
            replies=(NO_PARTNER_QUESTION.reply(),), state=state(NAME, "no_partner", note=note)
        )
    kind = next(s for s in service if s in partner.services)
    return sharing.ask(NAME, partner, kind, note=note, before=(CONFIDENTIAL,))


def _no_partner(ctx: FlowContext) -> FlowResult:
    answer = NO_PARTNER_QUESTION.answer(ctx.input)
    if answer is None:
        return ask_again(ctx, NO_PARTNER_QUESTION)
    if answer == "k_no":
        return FlowResult(replies=(sharing.NOT_NOW,), state=IDLE)
    note = ctx.state.data.get("note")
    escalation = OpenEscalation(
        reason="no_counselling_partner",
        severity="low",
        detail=note[:40] if isinstance(note, str) else "",
    )
    return FlowResult(replies=(Reply("officer.request_noted"),), state=IDLE, effects=(escalation,))


FLOW = FlowSpec(
    name=NAME,
    questions={
        "who": WHO_QUESTION,
        "how": HOW_QUESTION,
        "no_partner": NO_PARTNER_QUESTION,
        sharing.STEP: sharing.SHARE_QUESTION,
    },
    step=_step,
)
