"""Whatever arrives, at whatever step: at least one reply, no exception, clean state."""

from __future__ import annotations

import json

import pytest

import flows
from flows.engine import FLOWS, INTERRUPTIONS, open_flow
from flows.render import render_reply
from flows.types import LANGUAGES, FlowContext, FlowState, InviteCheck, UserInput
from tests.flows.conftest import MakeContext

GARBAGE = [
    UserInput(),
    UserInput(text=""),
    UserInput(text="   \n\t "),
    UserInput(text="x" * 10_000),
    UserInput(text="9" * 10_000),
    UserInput(text="😀🔥🙏" * 20),
    UserInput(text="\x00\x07\u202e\u200b"),
    UserInput(text="/start " + "A" * 100),
    UserInput(choice="zzz"),
    UserInput(choice=""),
    UserInput(text="ok", choice="zzz", language_hint="xx-YY"),
]
CHECKIN = {"flow": "checkin", "step": "mood", "data": {}}


def open_states() -> list[tuple[str, str, FlowState]]:
    """(person status, label, state) for every step of every flow, and broken states."""
    cases: list[tuple[str, str, FlowState]] = []
    for spec in FLOWS.values():
        status = "invited" if spec.name == "enrollment" else "active"
        for step in spec.questions:
            cases.append((status, f"{spec.name}/{step}", FlowState(spec.name, step)))
            if spec.name in INTERRUPTIONS:
                resumed = FlowState(spec.name, step, {"resume": CHECKIN})
                cases.append((status, f"{spec.name}/{step}+resume", resumed))
    for status in ("invited", "active", "paused", "opted_out", "closed"):
        cases.append((status, "idle", FlowState()))
    broken = [
        FlowState("no_such_flow", "x"),
        FlowState("checkin", "no_such_step"),
        FlowState("menu", "choose", {"resume": "garbage"}),
        FlowState("menu", "choose", {"resume": {"flow": "menu", "step": "choose"}}),
        FlowState("language", "choose", {"resume": {"flow": 3, "step": None, "data": []}}),
    ]
    cases.extend(("active", f"broken:{state}", state) for state in broken)
    return cases


CASES = open_states()


def assert_sound(ctx: FlowContext) -> None:
    result = flows.handle(ctx)
    assert result.replies, "silence"
    for reply in result.replies:
        for language in LANGUAGES:
            assert render_reply(reply, language).text
    assert json.loads(json.dumps(result.state.data)) == result.state.data
    assert result.state.idle or open_flow(result.state) is not None, result.state


@pytest.mark.parametrize(("status", "label", "state"), CASES, ids=[c[1] for c in CASES])
@pytest.mark.parametrize("user_input", GARBAGE)
def test_garbage_at_every_step(
    make_ctx: MakeContext, status: str, label: str, state: FlowState, user_input: UserInput
) -> None:
    ctx = make_ctx(state=state, status=status)
    assert_sound(FlowContext(ctx.person, ctx.state, user_input, ctx.now, ctx.language))


@pytest.mark.parametrize("status", ["invited", "active"])
@pytest.mark.parametrize("spec_name", sorted(FLOWS))
def test_every_step_accepts_each_of_its_options(
    make_ctx: MakeContext, status: str, spec_name: str
) -> None:
    for step, question in FLOWS[spec_name].questions.items():
        for choice in question.choices:
            state = FlowState(spec_name, step)
            assert_sound(make_ctx(choice=choice.id, state=state, status=status))


INVITES = [
    None,
    *(InviteCheck("Ab3dEf9hKk", status) for status in ("valid", "used", "expired", "unknown")),
]


@pytest.mark.parametrize("invite", INVITES)
@pytest.mark.parametrize("user_input", GARBAGE)
def test_garbage_from_a_stranger(
    make_ctx: MakeContext, invite: InviteCheck | None, user_input: UserInput
) -> None:
    ctx = make_ctx(status=None, invite=invite)
    assert_sound(FlowContext(None, ctx.state, user_input, ctx.now, ctx.language, invite))


@pytest.mark.parametrize(("status", "label", "state"), CASES, ids=[c[1] for c in CASES])
def test_a_checkin_replaces_any_state(
    make_ctx: MakeContext, status: str, label: str, state: FlowState
) -> None:
    result = flows.start_checkin(make_ctx(state=state, status="active"))
    assert (result.state.flow, result.state.step) == ("checkin", "mood")
    assert [reply.key for reply in result.replies] == ["checkin.ask_mood"]
    assert result.effects == ()
