"""Every journey, in every language, as a conversation a person could have."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.types import LANGUAGES
from tests.flows.transcript import (
    TranscriptError,
    TranscriptMismatch,
    check,
    transcript_files,
)

FILES = transcript_files()
# One per journey, language and rendering (tests/transcripts/<journey>/), and some more.
JOURNEYS = (
    "welcome",
    "checkin",
    "work",
    "housing",
    "counselling",
    "appointment",
    "referral",
    "always",
    "crisis",
)
REQUIRED = {
    f"{journey}_{language}_{rendering}"
    for journey in JOURNEYS
    for language in LANGUAGES
    for rendering in ("buttons", "sms")
} | {
    "enrollment_ru",
    "enrollment_kk",
    "enrollment_en",
    "enrollment_declined_ru",
    "bad_code",
    "help_and_menu",
}

ENROLLMENT = """\
@ setup: invite=valid invite_language=en
> /start Ab3dEf9hKk
< Welcome to Jolserik, a support service.
| Choose your language.
  [Русский] [Қазақша] [English]
! RedeemInvite code=Ab3dEf9hKk
> [English]
< Jolserik helps with work, housing and counselling, and reminds you of appointments. \
It is run by a UN programme with partner organisations.
< Your officer sees your check-in answers, requests and safety alerts. Partners see \
only what you agree to share, each time. Do you agree?
  [Yes] [No]
! SetLanguage language=en
> yes
< Thank you! I will send you short check-ins. Write "menu" at any time to see what I can \
do, or "help" for help.
! RecordConsent granted=True text_version=2026-12-v3
! ActivatePerson
= state: idle
"""


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_transcript(path: Path) -> None:
    check(path.read_text(encoding="utf-8"), path.name)


def test_every_journey_has_its_transcripts() -> None:
    assert REQUIRED <= {path.stem for path in FILES}


def test_a_correct_transcript_passes() -> None:
    check(ENROLLMENT)


@pytest.mark.parametrize(
    ("wrong", "shown"),
    [
        pytest.param(
            ENROLLMENT.replace("Do you agree?", "Agreed?"), "-< Your officer", id="reply text"
        ),
        pytest.param(
            ENROLLMENT.replace("! ActivatePerson\n", ""), "+! ActivatePerson", id="effect"
        ),
        pytest.param(
            ENROLLMENT.replace("[Yes] [No]", "[No] [Yes]"), "-  [No] [Yes]", id="choice order"
        ),
        pytest.param(
            ENROLLMENT.replace("= state: idle", "= state: checkin/mood"),
            "+= state: idle",
            id="state",
        ),
        pytest.param(
            ENROLLMENT + "> yes\n",
            "+< I did not quite understand. How can I help?",
            id="missing reply",
        ),
    ],
)
def test_a_wrong_transcript_fails_with_a_readable_diff(wrong: str, shown: str) -> None:
    with pytest.raises(TranscriptMismatch) as failure:
        check(wrong, "wrong.txt")
    assert "wrong.txt" in str(failure.value)
    assert shown in str(failure.value)


def test_pressing_a_button_that_is_not_offered_is_a_transcript_error() -> None:
    with pytest.raises(TranscriptError, match=r"line 2: no button \[Maybe\]"):
        check("@ setup: invite=valid\n> [Maybe]\n")


@pytest.mark.parametrize(
    "line",
    [
        "? what",
        "@ setup: colour=red",
        "@ setup: language=fr person",
        "@ setup: render=fax",
        "@ setup: directory=atlantis",
        "@ setup: person=active paused=maybe",
        "@ nudge",
    ],
)
def test_malformed_lines_are_transcript_errors(line: str) -> None:
    with pytest.raises(TranscriptError, match="line 1"):
        check(line + "\n")


def test_an_sms_has_no_buttons_to_press() -> None:
    with pytest.raises(TranscriptError, match="line 3: an SMS has no buttons"):
        check("@ setup: person=active render=sms\n@ checkin\n> [1]\n")
