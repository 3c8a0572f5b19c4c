"""Fixtures for the flow tests: contexts built from a few plain values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flows.types import FlowContext, FlowState, Language, PersonSnapshot, UserInput
from tests.flows.transcript import NOW

MakeContext = Callable[..., FlowContext]


def person(status: str = "active", language: Language = "ru", consent: bool | None = True):
    return PersonSnapshot(
        id=7, display_name="Test Person", language=language, status=status, consent_given=consent
    )


@pytest.fixture
def make_ctx() -> MakeContext:
    def make(
        text: str | None = None,
        *,
        choice: str | None = None,
        state: FlowState | None = None,
        status: str | None = "active",
        language: Language = "ru",
        consent: bool | None = True,
        hint: str | None = None,
        **extra: Any,
    ) -> FlowContext:
        return FlowContext(
            person=person(status, language, consent) if status else None,
            state=state or FlowState(),
            input=UserInput(text=text, choice=choice, language_hint=hint),
            now=NOW,
            language=language,
            **extra,
        )

    return make
