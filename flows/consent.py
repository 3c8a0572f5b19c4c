"""What is shared with whom, and the person's answer to it (enrollment and `privacy`)."""

from __future__ import annotations

from typing import Any

from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import (
    IDLE,
    Choice,
    Effect,
    FlowContext,
    FlowResult,
    OpenEscalation,
    PersonSnapshot,
    RecordConsent,
    Reply,
)

NAME = "privacy"

# Names the wording of `consent.ask` a person agreed to; bump it whenever that text
# changes in any language (a test pins the texts to this version).
CONSENT_TEXT_VERSION = "2026-12-v3"

CONSENT_QUESTION = Question(
    "consent.ask", (Choice("c_yes", "choice.yes"), Choice("c_no", "choice.no"))
)


def consent_answer(ctx: FlowContext) -> bool | None:
    answer = CONSENT_QUESTION.answer(ctx.input)
    return None if answer is None else answer == "c_yes"


def record(granted: bool) -> RecordConsent:
    return RecordConsent(granted=granted, text_version=CONSENT_TEXT_VERSION)


def declined_escalation(person: PersonSnapshot | None) -> tuple[Effect, ...]:
    # The officer needs to know once that check-ins will not come, not every time the
    # person repeats the same answer.
    if person is not None and person.consent_given is False:
        return ()
    reason = (
        "consent_withdrawn" if person is not None and person.consent_given else ("consent_declined")
    )
    return (OpenEscalation(reason=reason, severity="low"),)


def open_privacy(resume: dict[str, Any] | None, person: PersonSnapshot | None) -> FlowResult:
    """What is kept and who sees it, then the consent question: yes keeps (or gives)
    consent, no withdraws it."""
    data = {"resume": resume} if resume else {}
    given = person is not None and person.consent_given is True
    info = Reply("privacy.given") if given else Reply("privacy.not_given")
    return FlowResult(
        replies=(info, CONSENT_QUESTION.reply()), state=state(NAME, "consent", **data)
    )


def _step(ctx: FlowContext) -> FlowResult:
    granted = consent_answer(ctx)
    if granted is None:
        return ask_again(ctx, CONSENT_QUESTION)
    if granted:
        return FlowResult(replies=(Reply("consent.saved"),), state=IDLE, effects=(record(True),))
    return FlowResult(
        replies=(Reply("consent.declined"),),
        state=IDLE,
        effects=(record(False), *declined_escalation(ctx.person)),
    )


FLOW = FlowSpec(name=NAME, questions={"consent": CONSENT_QUESTION}, step=_step)
