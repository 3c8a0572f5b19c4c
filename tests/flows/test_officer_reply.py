"""The person's free text after their officer wrote goes to the officer, unless it is a
crisis, an answer to an open question or a keyword, which keep their meaning."""

from __future__ import annotations

import pytest

from flows.engine import handle
from flows.steps import state
from flows.types import OpenEscalation, PassToOfficer
from tests.flows.conftest import MakeContext


def keys(result) -> list[str]:
    return [reply.key for reply in result.replies]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Да, в пятницу смогу", "ru"),
        ("Жума кунi келемин", "kk"),
        ("ok see you friday", "en"),
        ("spasibo, budu", "ru"),  # Latin letters for Russian
    ],
)
def test_free_text_in_the_window_is_passed_on(make_ctx: MakeContext, text, language) -> None:
    result = handle(make_ctx(text, language=language, officer_reply_open=True))
    assert keys(result) == ["officer.reply_passed_on"]
    assert PassToOfficer() in result.effects


def test_without_the_window_free_text_is_not_passed_on(make_ctx: MakeContext) -> None:
    result = handle(make_ctx("ok see you friday", language="en"))
    assert PassToOfficer() not in result.effects
    assert "officer.reply_passed_on" not in keys(result)


def test_a_crisis_keeps_priority(make_ctx: MakeContext) -> None:
    result = handle(make_ctx("хочу покончить с собой", officer_reply_open=True))
    assert PassToOfficer() not in result.effects
    assert any(isinstance(e, OpenEscalation) and e.severity == "critical" for e in result.effects)


@pytest.mark.parametrize("text", ["menu", "меню", "stop", "help", "помощь", "язык"])
def test_keywords_keep_their_meaning(make_ctx: MakeContext, text) -> None:
    result = handle(make_ctx(text, officer_reply_open=True))
    assert PassToOfficer() not in result.effects
    assert "officer.reply_passed_on" not in keys(result)


def test_an_answer_to_an_open_question_stays_an_answer(make_ctx: MakeContext) -> None:
    open_checkin = state("checkin", "mood")
    result = handle(make_ctx("4", state=open_checkin, officer_reply_open=True))
    assert PassToOfficer() not in result.effects
    assert "officer.reply_passed_on" not in keys(result)
