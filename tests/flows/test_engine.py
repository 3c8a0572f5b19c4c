"""Routing rules that transcripts show only in passing, and the package's boundaries."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import flows
from flows.engine import FLOWS
from flows.types import (
    FlowState,
    InviteCheck,
    OpenEscalation,
    RedeemInvite,
    SetLanguage,
)
from tests.flows.conftest import MakeContext

FLOWS_DIR = Path(flows.__file__).parent


def keys(result) -> list[str]:
    return [reply.key for reply in result.replies]


def test_flows_imports_only_the_standard_library_babel_and_itself() -> None:
    allowed = set(sys.stdlib_module_names) | {"babel", "flows"}
    for path in FLOWS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            assert set(roots) <= allowed, f"{path.name}:{node.lineno} imports {roots}"


def test_every_flow_module_is_registered() -> None:
    assert set(FLOWS) == {
        "enrollment",
        "checkin",
        "menu",
        "language",
        "privacy",
        "work",
        "housing",
        "counselling",
        "appointment",
        "referral",
        "referral_offer",
        "officer_offer",
        "pause",
    }


@pytest.mark.parametrize(
    ("person_language", "hint", "recorded"),
    [
        ("kk", "en", None),  # the officer chose: the welcome is in it already
        (None, "kk-KZ", "kk"),
        (None, "en", "en"),
        (None, "de", "ru"),
        (None, None, "ru"),
    ],
)
def test_the_welcome_language_is_recorded_when_the_invite_has_none(
    make_ctx: MakeContext, person_language, hint, recorded
) -> None:
    invite = InviteCheck("C0de42", "valid", person_language)
    result = flows.handle(make_ctx("/start C0de42", status=None, hint=hint, invite=invite))
    language = (SetLanguage(recorded),) if recorded else ()
    assert result.effects == (RedeemInvite("C0de42"), *language)
    assert keys(result) == ["enroll.welcome"]
    assert result.state == FlowState("enrollment", "language")


@pytest.mark.parametrize("status", ["used", "expired", "unknown"])
def test_every_unusable_code_gets_the_same_answer(make_ctx: MakeContext, status) -> None:
    result = flows.handle(make_ctx("C0de42", status=None, invite=InviteCheck("C0de42", status)))
    assert keys(result) == ["enroll.code_not_valid"]
    assert result.effects == ()
    assert result.state.idle


def test_a_stranger_is_never_routed_by_stale_state(make_ctx: MakeContext) -> None:
    result = flows.handle(make_ctx("да", status=None, state=FlowState("enrollment", "consent")))
    assert keys(result) == ["enroll.ask_code"]


def test_help_keeps_the_state_and_asks_the_open_question_again(make_ctx: MakeContext) -> None:
    state = FlowState("checkin", "need")
    result = flows.handle(make_ctx("help", state=state))
    assert keys(result) == ["help.text", "checkin.ask_need"]
    assert result.state == state


def test_an_interruption_from_idle_ends_idle(make_ctx: MakeContext) -> None:
    menu = flows.handle(make_ctx("menu"))
    assert menu.state == FlowState("menu", "choose")
    done = flows.handle(make_ctx(choice="u_officer", state=menu.state))
    assert done.state.idle
    assert done.effects == (OpenEscalation(reason="asked_officer", severity="medium"),)


def test_interruptions_nest_without_losing_the_open_question(make_ctx: MakeContext) -> None:
    state = flows.handle(make_ctx("menu", state=FlowState("checkin", "mood"))).state
    state = flows.handle(make_ctx(choice="u_more", state=state)).state
    state = flows.handle(make_ctx(choice="u_lang", state=state)).state
    assert state.flow == "language"
    state = flows.handle(make_ctx("privacy", state=state)).state
    assert state.flow == "privacy"
    result = flows.handle(make_ctx("yes", state=state))
    assert keys(result) == ["consent.saved", "checkin.ask_mood"]
    assert result.state == FlowState("checkin", "mood")


def test_a_state_from_an_older_version_falls_back_to_the_menu(make_ctx: MakeContext) -> None:
    result = flows.handle(make_ctx("3", state=FlowState("housing", "district")))
    assert keys(result) == ["idle.fallback"]
    assert result.state == FlowState("menu", "choose")
