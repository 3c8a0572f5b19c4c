"""Enrollment: an invitation code, a language, and consent to what is shared.

Nothing said to an unknown sender reveals whether a code exists or whom it was for.
"""

from __future__ import annotations

from flows.consent import CONSENT_QUESTION, consent_answer, declined_escalation, record
from flows.language import LANGUAGE_CHOICES, LANGUAGE_QUESTION, chosen_language
from flows.steps import FlowSpec, ask_again, state
from flows.types import (
    DEFAULT_LANGUAGE,
    IDLE,
    LANGUAGES,
    ActivatePerson,
    Effect,
    FlowContext,
    FlowResult,
    Language,
    RedeemInvite,
    Reply,
    SetLanguage,
)
from flows.understanding import understand

NAME = "enrollment"
ABOUT = Reply("enroll.about")


def hint_language(hint: str | None) -> Language | None:
    # Same reading as the bot's (first two letters), so both agree on the language of
    # the first replies: "ru-RU" and "kk" count, "kz" does not.
    code = (hint or "")[:2].lower()
    return code if code in LANGUAGES else None  # type: ignore[return-value]


def welcome_language(ctx: FlowContext) -> Language:
    if ctx.invite is not None and ctx.invite.person_language is not None:
        return ctx.invite.person_language
    return hint_language(ctx.input.language_hint) or DEFAULT_LANGUAGE


def unknown_sender(ctx: FlowContext) -> FlowResult:
    invite = ctx.invite
    if invite is None:
        return FlowResult(replies=(Reply("enroll.ask_code"),), state=IDLE)
    if invite.status != "valid":
        return FlowResult(replies=(Reply("enroll.code_not_valid"),), state=IDLE)
    effects: list[Effect] = [RedeemInvite(code=invite.code)]
    if invite.person_language is None:
        # The welcome goes out in the person's language on record; when the officer
        # left none, record the one we are about to greet them in.
        effects.append(SetLanguage(welcome_language(ctx)))
    return FlowResult(
        replies=(Reply("enroll.welcome", choices=LANGUAGE_CHOICES),),
        state=state(NAME, "language"),
        effects=tuple(effects),
    )


def resume(ctx: FlowContext) -> FlowResult:
    """An invited person who stopped halfway starts again at the language question."""
    return FlowResult(replies=(LANGUAGE_QUESTION.reply(),), state=state(NAME, "language"))


def _step(ctx: FlowContext) -> FlowResult:
    if ctx.state.step == "consent":
        return _consent(ctx)
    return _language(ctx)


def _language(ctx: FlowContext) -> FlowResult:
    language = chosen_language(ctx) or _agreeing_in(ctx)
    if language is None:
        return ask_again(ctx, LANGUAGE_QUESTION)
    # Who runs this and why, in the language just chosen, before what is shared.
    return FlowResult(
        replies=(ABOUT, CONSENT_QUESTION.reply()),
        state=state(NAME, "consent"),
        effects=(SetLanguage(language),),
    )


def _agreeing_in(ctx: FlowContext) -> Language | None:
    """Someone who answers the language question with "да, согласен", "иә келісемін" or
    "yes I agree" is writing in the language they want: take it, and go on."""
    understanding = understand(ctx.input.text or "")
    if "answer.yes" not in understanding.answers:
        return None
    language = understanding.language
    return language if language in ("ru", "kk", "en") else None  # type: ignore[return-value]


def _consent(ctx: FlowContext) -> FlowResult:
    granted = consent_answer(ctx)
    if granted is None:
        return ask_again(ctx, CONSENT_QUESTION)
    # A person who declines is still enrolled: they get essential messages only, and
    # their officer is told so they can follow up in person.
    effects: tuple[Effect, ...] = (record(granted), ActivatePerson())
    if granted:
        return FlowResult(replies=(Reply("enroll.done"),), state=IDLE, effects=effects)
    return FlowResult(
        replies=(Reply("consent.declined"),),
        state=IDLE,
        effects=(*effects, *declined_escalation(ctx.person)),
    )


FLOW = FlowSpec(
    name=NAME,
    questions={"language": LANGUAGE_QUESTION, "consent": CONSENT_QUESTION},
    step=_step,
)
