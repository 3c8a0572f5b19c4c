"""Building blocks shared by the flows: questions with choices, and the flow registry
entry each journey module exports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.matching import match_choice
from flows.types import Choice, FlowContext, FlowResult, FlowState, Localized, Reply, UserInput

NOT_UNDERSTOOD = Reply("common.not_understood")


@dataclass(frozen=True)
class Question:
    """A question and the options it offers; asking it again gives the same words.

    A question that names something (an organisation, an appointment) takes those
    words from the conversation state, under `arg_names`, so it can be asked again
    after help or an interruption exactly as it was first asked.
    """

    key: str
    choices: tuple[Choice, ...] = ()
    arg_names: tuple[str, ...] = ()
    # Arguments kept in the state as an id and shown as a catalog text, e.g.
    # {"kind": {"meeting": Localized("appointment.kind.meeting"), ...}}.
    arg_labels: Mapping[str, Mapping[str, Localized]] = field(default_factory=dict)

    def reply(self, data: Mapping[str, Any] | None = None) -> Reply:
        data = data if isinstance(data, Mapping) else {}
        args: dict[str, Any] = {}
        for name in self.arg_names:
            value = str(data.get(name, ""))[:200]
            args[name] = self.arg_labels.get(name, {}).get(value, value)
        return Reply(self.key, args=args, choices=self.choices)

    def answer(self, user_input: UserInput) -> str | None:
        """The id of the option the person picked, or None."""
        choice = match_choice(user_input, self.choices)
        return choice.id if choice else None


@dataclass(frozen=True)
class FlowSpec:
    """One journey, as the engine sees it.

    `questions` maps every step to the question that step waits on; the engine uses it
    to re-offer the open question (after help, after an interruption) and the tests use
    it to reach every step.
    """

    name: str
    questions: Mapping[str, Question]
    step: Callable[[FlowContext], FlowResult]


def ask_again(ctx: FlowContext, question: Question) -> FlowResult:
    """Never leave a person in silence: say so, and offer the same question again."""
    return FlowResult(replies=(NOT_UNDERSTOOD, question.reply(ctx.state.data)), state=ctx.state)


def state(flow: str, step: str, **data: object) -> FlowState:
    return FlowState(flow=flow, step=step, data=dict(data))
