"""Start a conversation from the bot's side (a check-in, a reminder, a referral update):
pick the channel that reaches the person, build the flow context, queue the replies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.core.settings import Settings
from bot.delivery.reachability import preferred_identity
from bot.models import Person
from bot.pipeline.context import build_context
from bot.pipeline.conversation import as_language
from bot.pipeline.effects import Target, apply_flow_result
from bot.pipeline.escalations import open_escalation
from flows.types import FlowContext, FlowResult, UserInput


def start_conversation(
    session: Session,
    settings: Settings,
    person: Person,
    start: Callable[[FlowContext], FlowResult],
    *,
    now: datetime,
    kind: str,
) -> bool:
    """Queue what `start` says to the person. Without a reachable channel, tell the officer
    (one open "unreachable" escalation) and return False."""
    assert person.id is not None
    identity = preferred_identity(session, person.id)
    if identity is None:
        open_escalation(
            session,
            settings,
            person_id=person.id,
            reason="unreachable",
            severity="low",
            detail=f"no channel reaches the person for a {kind}",
            now=now,
            dedupe_open=True,
        )
        return False
    language = as_language(person.language)
    ctx = build_context(
        session,
        settings,
        person=person,
        user_input=UserInput(),
        now=now,
        language=language,
        answering=False,
    )
    apply_flow_result(
        session,
        start(ctx),
        person=person,
        target=Target(identity.channel, identity.address, identity),
        now=now,
        fallback_language=language,
        settings=settings,
        kind=kind,
    )
    return True
