"""The simulator channel: messages are 'delivered' by being readable on the /simulator page."""

from __future__ import annotations

import uuid

from bot.channels.base import OutboundMessage, SendResult


class SimulatorChannel:
    name = "simulator"

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, message: OutboundMessage) -> SendResult:
        # The page polls the message table; marking it delivered is the whole delivery.
        return SendResult(provider_message_id=f"sim-out-{uuid.uuid4().hex}", status="delivered")
