"""Every conversation state a person can really reach, found by walking the flows: start
from what the bot and the person can begin (check-ins, reminders, referral news, the
menu and the other intents), then answer every open question with each of its options
and with free text, with partners near the person and without."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

import flows
from flows.engine import open_flow
from flows.types import (
    IDLE,
    AppointmentInfo,
    Directory,
    FlowContext,
    FlowState,
    PersonSnapshot,
    ReferralInfo,
    UserInput,
)
from tests.flows.transcript import NOW
from tests.flows.transcript_events import DIRECTORIES

PERSON = PersonSnapshot(
    id=7,
    display_name="Test Person",
    language="ru",
    status="active",
    consent_given=True,
    region="Karaganda",
)
INVITED = PersonSnapshot(
    id=8, display_name="Test Person", language="kk", status="invited", consent_given=None
)
APPOINTMENT = AppointmentInfo(5, "meeting", "ул. Абая, 10", "29.11 10:00", 24)
REFERRAL = ReferralInfo(9, "employment", "Центр занятости", "completed")
FREE_TEXT = UserInput(text="Заболел, приду в пятницу")


def context(
    state: FlowState,
    user_input: UserInput = UserInput(),
    person: PersonSnapshot = PERSON,
    directory: Directory = DIRECTORIES["demo"],
) -> FlowContext:
    return FlowContext(person, state, user_input, NOW, person.language, directory=directory)


def _key(person: PersonSnapshot, state: FlowState) -> str:
    return json.dumps([person.status, state.flow, state.step, state.data], sort_keys=True)


def _seeds() -> Iterable[tuple[PersonSnapshot, FlowState]]:
    yield PERSON, IDLE
    yield INVITED, FlowState("enrollment", "language")
    yield INVITED, FlowState("enrollment", "consent")
    for start in (flows.start_checkin, flows.start_checkin_nudge):
        yield PERSON, start(context(IDLE)).state
    yield PERSON, flows.start_appointment_reminder(context(IDLE), APPOINTMENT).state
    yield PERSON, flows.start_referral_update(context(IDLE), REFERRAL).state
    for word in ("menu", "privacy", "language", "работа"):
        yield PERSON, flows.handle(context(IDLE, UserInput(text=word))).state
    # The third reply in a row the bot does not understand offers the officer.
    puzzled = replace(PERSON, misunderstood_in_row=2)
    checkin = flows.start_checkin(context(IDLE)).state
    for state in (IDLE, checkin):
        yield PERSON, flows.handle(context(state, UserInput(text="?"), puzzled)).state
    yield PERSON, flows.start_referral_update(context(checkin), REFERRAL).state


def reachable_states() -> list[tuple[PersonSnapshot, FlowState]]:
    seen: dict[str, tuple[PersonSnapshot, FlowState]] = {}
    queue = list(_seeds())
    while queue:
        person, state = queue.pop()
        key = _key(person, state)
        if key in seen:
            continue
        seen[key] = (person, state)
        spec = open_flow(state)
        if spec is None or state.step is None:
            continue
        if person.status == "active" and state.flow == "checkin":
            # Side trips from the middle of a check-in come back to it.
            queue.append(
                (person, flows.start_appointment_reminder(context(state), APPOINTMENT).state)
            )
            queue.append((person, flows.handle(context(state, UserInput(text="menu"))).state))
        inputs = [UserInput(choice=c.id) for c in spec.questions[state.step].choices]
        for directory in DIRECTORIES.values():
            for user_input in (*inputs, FREE_TEXT):
                result = flows.handle(context(state, user_input, person, directory))
                if person.status == "invited" and result.state.flow != "enrollment":
                    continue
                queue.append((person, result.state))
    return list(seen.values())


def label(person: PersonSnapshot, state: FlowState) -> str:
    where = "idle" if state.idle else f"{state.flow}/{state.step}"
    extra = "+resume" if "resume" in state.data else ""
    return f"{person.status}:{where}{extra}"
