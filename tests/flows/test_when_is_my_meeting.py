""" "When is my meeting?" in free text: the next appointments, or none scheduled."""

from __future__ import annotations

import pytest

from flows.engine import handle
from flows.render import render_reply
from flows.steps import state
from flows.types import AppointmentInfo
from tests.flows.conftest import MakeContext

NEXT = (
    AppointmentInfo(
        id=1, kind="meeting", place="Office 12", starts_at_local="05.12 10:00", hours_before=0
    ),
    AppointmentInfo(
        id=2, kind="medical", place="Prison clinic", starts_at_local="09.12 15:30", hours_before=0
    ),
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("когда встреча", "ru"),
        ("Когда у меня встреча?", "ru"),
        ("кагда встреча", "ru"),  # a typo
        ("kogda vstrecha", "ru"),  # Latin letters
        ("кездесу қашан", "kk"),
        ("kezdesu qashan", "kk"),
        ("When is my meeting?", "en"),
        ("/meeting", "en"),
    ],
)
def test_the_next_appointments_are_listed(make_ctx: MakeContext, text, language) -> None:
    result = handle(make_ctx(text, language=language, upcoming_appointments=NEXT))
    assert [reply.key for reply in result.replies] == ["appointment.upcoming"]
    rendered = render_reply(result.replies[0], language).text
    assert "05.12 10:00" in rendered and "Office 12" in rendered and "09.12 15:30" in rendered
    # A place that would reveal too much on a lock screen is not repeated.
    assert "Prison" not in rendered


def test_none_scheduled(make_ctx: MakeContext) -> None:
    result = handle(make_ctx("when is my meeting", language="en"))
    assert (
        render_reply(result.replies[0], "en").text
        == "You have no appointments scheduled right now."
    )


def test_an_open_question_stays_open(make_ctx: MakeContext) -> None:
    open_checkin = state("checkin", "mood")
    result = handle(make_ctx("когда встреча", state=open_checkin, upcoming_appointments=NEXT))
    assert result.replies[0].key == "appointment.upcoming"
    assert result.state.flow == "checkin"
