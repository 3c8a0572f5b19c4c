"""The e-mail channel against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.channels.base import OutboundMessage, PermanentSendError, TransientSendError
from bot.channels.email.adapter import EmailChannel
from bot.channels.registry import build_channels
from bot.core.settings import Settings
from tests.bot.channels.email.smtp_server import PASSWORD, USERNAME, SmtpServer, free_port

ALERT = "A case needs your attention (critical, 1 h)\nhttp://127.0.0.1:8000/api/v1/escalations/5"


def smtp_settings(settings: Settings, port: int, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_from": "alerts@jolserik.example",
        "smtp_starttls": False,
        "smtp_timeout_seconds": 2,
    }
    values.update(overrides)
    return settings.model_copy(update=values)


def _message(address: str = "officer@example.org", text: str = ALERT) -> OutboundMessage:
    return OutboundMessage(message_id=1, channel="email", address=address, text=text, language="en")


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


async def test_an_alert_arrives_with_its_first_line_as_subject(
    settings: Settings, server: SmtpServer
) -> None:
    channel = EmailChannel(smtp_settings(settings, server.port))
    result = await channel.send(_message())

    [mail] = server.received
    assert mail.rcpt_tos == ["officer@example.org"]
    assert mail.mail_from == "alerts@jolserik.example"
    assert mail.message["Subject"] == "A case needs your attention (critical, 1 h)"
    assert mail.body.strip() == "http://127.0.0.1:8000/api/v1/escalations/5"
    assert result.provider_message_id == mail.message["Message-ID"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_login_when_the_server_asks_for_one(settings: Settings) -> None:
    with SmtpServer(require_auth=True) as server:
        good = smtp_settings(settings, server.port, smtp_username=USERNAME, smtp_password=PASSWORD)
        await EmailChannel(good).send(_message())
        assert len(server.received) == 1
        assert server.handler.logins == [USERNAME]

        wrong = smtp_settings(settings, server.port, smtp_username=USERNAME, smtp_password="nope")
        with pytest.raises(TransientSendError):  # the deployment's fault: kept and retried
            await EmailChannel(wrong).send(_message())
        missing = smtp_settings(settings, server.port)
        with pytest.raises((TransientSendError, PermanentSendError)):
            await EmailChannel(missing).send(_message())
        assert len(server.received) == 1


async def test_starttls_required_but_not_offered_sends_nothing(
    settings: Settings, server: SmtpServer
) -> None:
    channel = EmailChannel(smtp_settings(settings, server.port, smtp_starttls=True))
    with pytest.raises(TransientSendError):
        await channel.send(_message())
    assert server.received == []


async def test_a_refused_recipient_fails_for_good(settings: Settings, server: SmtpServer) -> None:
    server.handler.refuse.add("gone@example.org")
    with pytest.raises(PermanentSendError) as caught:
        await EmailChannel(smtp_settings(settings, server.port)).send(_message("gone@example.org"))
    assert "gone@example.org" not in caught.value.reason  # no address in logs or errors


async def test_no_server_is_a_transient_failure(settings: Settings) -> None:
    channel = EmailChannel(smtp_settings(settings, free_port()))
    with pytest.raises(TransientSendError):
        await channel.send(_message())


def test_the_channel_is_registered_only_when_configured(settings: Settings) -> None:
    assert "email" not in build_channels(settings)
    assert isinstance(build_channels(smtp_settings(settings, 2525))["email"], EmailChannel)
