"""A stranger is answered in the language they wrote in: "Сәлем" gets Kazakh."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.models import Message
from bot.models.enums import Direction
from bot.pipeline.inbound import InboundMessage, process_inbound
from flows.i18n import translate


@pytest.mark.parametrize(
    ("text", "hint", "language"),
    [
        ("Сәлем", None, "kk"),
        ("Сәлем", "ru", "kk"),
        ("Salem", "en", "kk"),
        ("Привет", None, "ru"),
        ("Hello", None, "en"),
        ("Hello", "ru", "ru"),  # Latin letters alone: the app's language decides
    ],
)
def test_a_stranger_is_answered_in_their_language(
    engine, settings, text: str, hint: str | None, language: str
) -> None:
    process_inbound(
        engine,
        InboundMessage(
            channel="simulator",
            address="stranger-1",
            provider_message_id="s1",
            text=text,
            language_hint=hint,
        ),
        settings=settings,
    )
    with Session(engine) as session:
        [reply] = session.exec(select(Message).where(Message.direction == Direction.outbound)).all()
    assert reply.body.startswith(translate("enroll.ask_code", language)[:20])
