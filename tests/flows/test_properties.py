"""Property: any sequence of inputs, in any reachable state, gets at least one reply and no
exception, and leaves a valid state (a known flow and step, or idle; JSON data)."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flows
from flows.engine import FLOWS, INTERRUPTIONS, open_flow
from flows.render import render_reply
from flows.types import (
    LANGUAGES,
    AppointmentInfo,
    CountMisunderstanding,
    FlowResult,
    FlowState,
    PersonSnapshot,
    RecordCheckInAnswer,
    RecordConsent,
    ReferralInfo,
    SetLanguage,
    SetPaused,
    UserInput,
)
from flows.vocabulary import INTENT_WORDS
from tests.flows.states import context, reachable_states
from tests.flows.test_crisis import data_phrases
from tests.flows.transcript_events import DIRECTORIES

STATES = reachable_states()
CHOICE_IDS = sorted(
    {
        choice.id
        for spec in FLOWS.values()
        for question in spec.questions.values()
        for choice in question.choices
    }
)
WORDS = [
    *sorted({word for group in INTENT_WORDS.values() for word in group}),
    "да",
    "нет",
    "иә",
    "жоқ",
    "yes",
    "no",
    "работа",
    "жильё",
    "психолог",
    "сегодня",
    data_phrases("ru")[0],
    data_phrases("kk")[0],
    data_phrases("en")[0],
]

texts = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A[#]?\d{1,4}[.)]?\Z"),
    st.sampled_from(WORDS),
    st.sampled_from(["", " ", "x" * 10_000, "9" * 10_000, "😀🔥🙏" * 30]),
    st.sampled_from(["مرحبا، أريد عملا", "שלום", "\u202eيلد", "‏ ‎", "\x00\u200b"]),
)
inputs = st.one_of(
    texts.map(lambda text: UserInput(text=text)),
    st.sampled_from(CHOICE_IDS).map(lambda choice: UserInput(choice=choice)),
    st.text(max_size=64).map(lambda choice: UserInput(choice=choice)),
    st.sampled_from(["photo", "voice", "sticker"]).map(lambda kind: UserInput(kind=kind)),
)
people = st.builds(
    lambda base, mood, missed, paused, consent, language: replace(
        base,
        last_mood=mood,
        misunderstood_in_row=missed,
        paused=paused,
        consent_given=consent if base.status != "invited" else None,
        language=language,
    ),
    st.sampled_from([person for person, _ in STATES]),
    st.one_of(st.none(), st.integers(1, 5)),
    st.integers(0, 4),
    st.booleans(),
    st.sampled_from([True, False, None]),
    st.sampled_from(LANGUAGES),
)
# What the bot may start on its own at any moment.
events = st.one_of(
    st.just(flows.start_checkin),
    st.just(flows.start_checkin_nudge),
    st.builds(
        lambda kind, place, hours: (
            lambda ctx: flows.start_appointment_reminder(
                ctx, AppointmentInfo(3, kind, place, "29.11 10:00", hours)
            )
        ),
        st.sampled_from(["meeting", "medical", "probation", "", "x" * 100]),
        st.text(max_size=300),
        st.sampled_from([24, 2]),
    ),
    st.builds(
        lambda status, name: (
            lambda ctx: flows.start_referral_update(ctx, ReferralInfo(4, "housing", name, status))
        ),
        st.sampled_from(["accepted", "declined", "completed", "weird"]),
        st.text(max_size=200),
    ),
)
steps = st.lists(st.one_of(inputs, events), min_size=1, max_size=8)


def assert_valid(result: FlowResult) -> None:
    assert result.replies, "silence"
    for reply in result.replies:
        for language in LANGUAGES:
            assert render_reply(reply, language).text.strip()
    state = result.state
    assert json.loads(json.dumps(state.data)) == state.data
    assert state.idle or open_flow(state) is not None, state
    if state.flow in INTERRUPTIONS and "resume" in state.data:
        resume = state.data["resume"]
        assert open_flow(FlowState(resume["flow"], resume["step"], resume["data"])) is not None


def apply(person: PersonSnapshot, result: FlowResult) -> PersonSnapshot:
    """What the bot would remember of the effects for the next step."""
    for effect in result.effects:
        match effect:
            case SetLanguage(language=language):
                person = replace(person, language=language)
            case RecordConsent(granted=granted):
                person = replace(person, consent_given=granted)
            case SetPaused(paused=paused):
                person = replace(person, paused=paused)
            case CountMisunderstanding(reset=reset):
                count = 0 if reset else person.misunderstood_in_row + 1
                person = replace(person, misunderstood_in_row=count)
            case RecordCheckInAnswer(mood=mood) if mood is not None:
                person = replace(person, last_mood=mood)
    return person


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    start=st.sampled_from(range(len(STATES))),
    person=people,
    directory=st.sampled_from(list(DIRECTORIES.values())),
    sequence=steps,
)
def test_any_sequence_in_any_state_is_answered(start, person, directory, sequence) -> None:
    state = STATES[start][1]
    if person.status == "invited" and state.flow != "enrollment":
        state = FlowState()
    for step in sequence:
        written = isinstance(step, UserInput)
        ctx = context(state, step if written else UserInput(), person, directory)
        result = flows.handle(ctx) if written else step(ctx)
        assert_valid(result)
        person, state = apply(person, result), result.state
