"""Building blocks shared by the flows: questions with choices, and the flow registry
entry each journey module exports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flows.matching import match_choice
from flows.types import Choice, FlowContext, FlowResult, FlowState, Reply, UserInput

NOT_UNDERSTOOD = Reply("common.not_understood")


@dataclass(frozen=True)
class Question:
    """A question and the options it offers; asking it again gives the same words."""

    key: str
    choices: tuple[Choice, ...] = ()

    def reply(self) -> Reply:
        return Reply(self.key, choices=self.choices)

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
    return FlowResult(replies=(NOT_UNDERSTOOD, question.reply()), state=ctx.state)


def state(flow: str, step: str, **data: object) -> FlowState:
    return FlowState(flow=flow, step=step, data=dict(data))
