"""Which channels this deployment has, decided once from settings."""

from __future__ import annotations

import logging

from bot.channels.base import ChannelAdapter
from bot.channels.simulator import SimulatorChannel
from bot.core.settings import Settings

log = logging.getLogger(__name__)


def build_channels(settings: Settings) -> dict[str, ChannelAdapter]:
    channels: dict[str, ChannelAdapter] = {}
    if settings.simulator_enabled:
        channels["simulator"] = SimulatorChannel()
    if not settings.telegram_enabled:
        log.info("channel disabled", extra={"channel": "telegram", "why": "no TELEGRAM_BOT_TOKEN"})
    else:
        from bot.channels.telegram.adapter import TelegramChannel  # PTB is loaded only when used

        channels["telegram"] = TelegramChannel(settings)
    if not settings.twilio_enabled:
        log.info(
            "channel disabled",
            extra={
                "channel": "sms",
                "why": "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender are not all set",
            },
        )
    else:
        from bot.channels.sms.adapter import TwilioSmsChannel  # twilio is loaded only when used

        channels["sms"] = TwilioSmsChannel(settings)
    if not settings.email_enabled:
        log.info("channel disabled", extra={"channel": "email", "why": "no SMTP_HOST or SMTP_FROM"})
    else:
        from bot.channels.email.adapter import EmailChannel

        # Staff alerts only; its own dispatch lane like every channel (bot/delivery/lanes.py).
        channels["email"] = EmailChannel(settings)
    return channels
