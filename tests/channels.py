"""A scriptable stand-in channel for dispatcher tests: it plays the provider's part,
answering each send with success, a transient error (with retry_after) or a permanent one."""

from __future__ import annotations

import itertools
from collections import deque

from bot.channels.base import OutboundMessage, PermanentSendError, SendResult, TransientSendError


class ScriptedChannel:
    def __init__(self, name: str = "simulator") -> None:
        self.name = name
        self.sent: list[OutboundMessage] = []
        self.script: deque[Exception] = deque()
        self._ids = itertools.count(1)

    def fail_next(self, *errors: Exception) -> None:
        self.script.extend(errors)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, message: OutboundMessage) -> SendResult:
        if self.script:
            raise self.script.popleft()
        self.sent.append(message)
        return SendResult(provider_message_id=f"{self.name}-{next(self._ids)}", status="sent")


def transient(retry_after: float | None = None) -> TransientSendError:
    return TransientSendError("provider busy", retry_after=retry_after)


def blocked() -> PermanentSendError:
    return PermanentSendError("blocked by the user", identity_unreachable=True)
