"""What every channel adapter takes and returns. One small adapter per provider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """Retrying cannot help: the person blocked the bot, opted out, the number is invalid."""

    def __init__(self, reason: str, *, identity_unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.identity_unreachable = identity_unreachable


class ChannelAdapter(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, message: OutboundMessage) -> SendResult: ...
