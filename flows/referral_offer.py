"""An officer's referral, put to the person first: which organisation, for what, and
exactly which details it would receive. Only a yes sends it; a no shares nothing.

A side trip like a reminder: whatever question was open is asked again afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from flows import sharing
from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import (
    IDLE,
    AnswerReferralOffer,
    Choice,
    FlowContext,
    FlowResult,
    FlowState,
    Listed,
    Localized,
    ReferralOffer,
    Reply,
)

NAME = "referral_offer"
STEP = "ask"
NAME_CHARS = 60
# What a partner may be given, each named to the person in their language.
FIELD_LABELS = MappingProxyType(
    {
        "first_name": Localized("offer.field.first_name"),
        "language": Localized("offer.field.language"),
        "need": Localized("offer.field.need"),
        "contact_channel": Localized("offer.field.contact_channel"),
        "phone": Localized("offer.field.phone"),
        "region": Localized("offer.field.region"),
    }
)
FIELDS = tuple(FIELD_LABELS)
SERVICE_LABELS = MappingProxyType(
    {
        "employment": Localized("service.employment"),
        "housing": Localized("service.housing"),
        "shelter": Localized("service.shelter"),
        "religious_counselling": Localized("service.religious_counselling"),
        "psychological_support": Localized("service.psychological_support"),
        "legal_aid": Localized("service.legal_aid"),
        "documents": Localized("service.documents"),
        "other": Localized("service.other"),
    }
)
SERVICES = tuple(SERVICE_LABELS)


@dataclass(frozen=True)
class OfferQuestion(Question):
    """Names the organisation and each detail it would receive (the need comes just before,
    in `offer.about`: one SMS could not hold both with a long name)."""

    def reply(self, data: Mapping[str, Any] | None = None) -> Reply:
        data = data if isinstance(data, Mapping) else {}
        fields = data.get("fields")
        shown = [f for f in fields if f in FIELDS] if isinstance(fields, list) else []
        args = {
            "organisation": str(data.get("organisation", ""))[:NAME_CHARS],
            "fields": Listed(tuple(FIELD_LABELS[name] for name in shown)),
        }
        return Reply(self.key, args=args, choices=self.choices)


QUESTION = OfferQuestion("offer.ask", (Choice("o_yes", "choice.yes"), Choice("o_no", "choice.no")))


def start(current: FlowState, offer: ReferralOffer, resume: dict[str, Any] | None) -> FlowResult:
    data: dict[str, Any] = {
        "id": offer.id,
        "organisation": " ".join(offer.organisation_name.split())[:NAME_CHARS],
        "kind": offer.kind if offer.kind in SERVICES else "other",
        "fields": [f for f in offer.fields if f in FIELDS],
        "address": offer.address or "",
        "hours": offer.opening_hours or "",
    }
    if resume:
        data["resume"] = resume
    return FlowResult(replies=(about(data), QUESTION.reply(data)), state=state(NAME, STEP, **data))


def about(data: Mapping[str, Any]) -> Reply:
    kind = data.get("kind")
    need = SERVICE_LABELS.get(kind if isinstance(kind, str) else "", SERVICE_LABELS["other"])
    organisation = str(data.get("organisation", ""))[:NAME_CHARS]
    return Reply("offer.about", {"organisation": organisation, "need": need})


def _step(ctx: FlowContext) -> FlowResult:
    choice = QUESTION.answer(ctx.input)
    if choice is None:
        again = ask_again(ctx, QUESTION)
        return replace(again, replies=(again.replies[0], about(ctx.state.data), *again.replies[1:]))
    referral_id = ctx.state.data.get("id")
    if not isinstance(referral_id, int) or isinstance(referral_id, bool) or referral_id < 1:
        return FlowResult(replies=(Reply("share.expired"),), state=IDLE)
    agreed = choice == "o_yes"
    organisation = str(ctx.state.data.get("organisation", ""))[:NAME_CHARS]
    replies = (
        (Reply("share.done", {"organisation": organisation}), *sharing.where(ctx.state.data))
        if agreed
        else (Reply("share.declined"),)
    )
    return FlowResult(
        replies=replies,
        state=IDLE,
        effects=(AnswerReferralOffer(referral_id=referral_id, agreed=agreed),),
    )


FLOW = FlowSpec(name=NAME, questions={STEP: QUESTION}, step=_step)
