"""What every channel adapter takes and returns. One small adapter per provider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol


@dataclass(frozen=True)
class OutboundMessage:
    message_id: int
    channel: str
    address: str
    text: str
    choices: tuple[tuple[str, str], ...] = ()  # (choice id, label)
    language: str = "ru"


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    status: str = "sent"  # sent | delivered (a channel that knows delivery at once)


class TransientSendError(Exception):
    """Worth retrying later: network trouble, 5xx, rate limited."""

    def __init__(
        self, reason: str, retry_after: float | None = None, *, consumes_attempt: bool = True
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        # False when the adapter did not try at all (its own pacing deferred the message):
        # a burst waiting its turn must not use up the attempts meant for real failures.
        self.consumes_attempt = consumes_attempt


IdentityFlag = Literal["blocked", "opted_out"]


class PermanentSendError(Exception):
    """Retrying cannot help: the person blocked the bot, opted out, the number is invalid.

    With `identity_unreachable`, the identity is marked with `identity_flag`: `blocked`
    (the person blocked the bot, or the address cannot receive) or `opted_out` (the
    person said STOP; they may come back with START, and the officer is told why).
    """

    def __init__(
        self,
        reason: str,
        *,
        identity_unreachable: bool = False,
        identity_flag: IdentityFlag = "blocked",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.identity_unreachable = identity_unreachable
        self.identity_flag: IdentityFlag = identity_flag


class ChannelAdapter(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, message: OutboundMessage) -> SendResult: ...
