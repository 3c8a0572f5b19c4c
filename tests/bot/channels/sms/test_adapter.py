"""The SMS adapter against the fake Twilio API over real HTTP: what it posts, and what each
Twilio answer means for the message (sent, retry later, or give up on this identity)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.channels.base import OutboundMessage, PermanentSendError, TransientSendError
from bot.channels.registry import build_channels
from bot.channels.sms.adapter import HEADROOM, SenderPacer, TwilioHttpxClient, TwilioSmsChannel
from bot.core.settings import Settings
from tests.fakes.twilio_api import (
    FROM_NUMBER,
    MESSAGING_SERVICE_SID,
    FakeTwilioApi,
    error,
    gateway_page,
    hang,
    problem_details,
)

TO = "+77011234567"


def _message(text: str = "Здравствуйте", choices=(), language: str = "ru", mid: int = 1):  # type: ignore[no-untyped-def]
    return OutboundMessage(
        message_id=mid, channel="sms", address=TO, text=text, choices=choices, language=language
    )


@pytest.fixture
async def channel(sms_settings: Settings) -> AsyncIterator[TwilioSmsChannel]:
    adapter = TwilioSmsChannel(sms_settings)
    await adapter.start()
    yield adapter
    await adapter.stop()


async def test_a_send_posts_to_the_messages_resource_and_returns_twilio_s_sid(
    channel: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    result = await channel.send(_message("Привет 👋"))

    [call] = twilio_api.calls
    assert call.authorized
    assert result.provider_message_id == call.sid and result.provider_message_id.startswith("SM")
    assert result.status == "sent"
    assert call.form["To"] == TO
    assert call.form["From"] == FROM_NUMBER
    assert "MessagingServiceSid" not in call.form
    assert call.form["Body"] == "Привет 👋"
    assert call.form["StatusCallback"] == "https://jolserik.example.org/webhooks/twilio/status"


async def test_choices_are_sent_as_a_numbered_list(
    channel: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    choices = (("c_yes", "Да"), ("c_no", "Нет"))
    await channel.send(_message("Вы согласны?", choices))
    assert twilio_api.calls[0].form["Body"] == "Вы согласны?\n1 Да\n2 Нет\nОтветьте 1 или 2"


async def test_a_messaging_service_is_the_sender_when_configured(
    sms_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    settings = sms_settings.model_copy(
        update={"twilio_messaging_service_sid": MESSAGING_SERVICE_SID}
    )
    adapter = TwilioSmsChannel(settings)
    await adapter.start()
    try:
        result = await adapter.send(_message())
    finally:
        await adapter.stop()
    [call] = twilio_api.calls
    assert call.form["MessagingServiceSid"] == MESSAGING_SERVICE_SID
    assert "From" not in call.form
    assert result.provider_message_id == call.sid


async def test_opted_out_21610_is_permanent_and_flags_the_identity_opted_out(
    channel: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.script(error(21610))
    with pytest.raises(PermanentSendError) as raised:
        await channel.send(_message())
    assert raised.value.identity_unreachable is True
    assert raised.value.identity_flag == "opted_out"
    assert "21610" in raised.value.reason
    assert twilio_api.sent() == []


async def test_an_opt_out_in_rfc_9457_shape_is_read_the_same(
    channel: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.script(problem_details(21610))
    with pytest.raises(PermanentSendError) as raised:
        await channel.send(_message())
    assert raised.value.identity_flag == "opted_out"


async def test_an_invalid_number_21211_is_permanent_and_blocks_the_identity(
    channel: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.script(error(21211))
    with pytest.raises(PermanentSendError) as raised:
        await channel.send(_message())
    assert raised.value.identity_unreachable is True
    assert raised.value.identity_flag == "blocked"


@pytest.mark.parametrize(
    "answer",
    [error(20429, 429), error(20500, 500), error(20503, 503), gateway_page(502)],
    ids=["429", "500", "503", "html-502"],
)
async def test_rate_limits_and_server_errors_are_transient(
    channel: TwilioSmsChannel, twilio_api: FakeTwilioApi, answer
) -> None:  # type: ignore[no-untyped-def]
    twilio_api.script(answer)
    with pytest.raises(TransientSendError) as raised:
        await channel.send(_message())
    assert raised.value.consumes_attempt is True
    # The next send is answered normally: nothing in the adapter stays broken.
    assert (await channel.send(_message(mid=2))).provider_message_id.startswith("SM")


async def test_a_hanging_twilio_is_a_transient_failure_within_the_timeout(
    channel: TwilioSmsChannel, twilio_api: FakeTwilioApi, sms_settings: Settings
) -> None:
    twilio_api.script(hang(30))
    started = time.monotonic()
    with pytest.raises(TransientSendError) as raised:
        await channel.send(_message())
    assert time.monotonic() - started < sms_settings.sms_send_timeout_seconds + 2
    assert "in time" in raised.value.reason


async def test_wrong_credentials_keep_the_message_and_retry_slowly(
    sms_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    adapter = TwilioSmsChannel(sms_settings.model_copy(update={"twilio_auth_token": "wrong"}))
    await adapter.start()
    try:
        with pytest.raises(TransientSendError) as raised:
            await adapter.send(_message())
    finally:
        await adapter.stop()
    assert twilio_api.calls[0].authorized is False
    assert raised.value.retry_after == 300


async def test_another_refusal_is_permanent_but_says_nothing_about_the_identity(
    channel: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.script(error(21617))  # body too long, say
    with pytest.raises(PermanentSendError) as raised:
        await channel.send(_message())
    assert raised.value.identity_unreachable is False


async def test_a_send_before_start_is_transient(sms_settings: Settings) -> None:
    with pytest.raises(TransientSendError):
        await TwilioSmsChannel(sms_settings).send(_message())


def test_the_channel_refuses_incomplete_settings(settings: Settings) -> None:
    with pytest.raises(ValueError, match="Twilio"):
        TwilioSmsChannel(settings)


def test_the_api_base_url_replaces_twilio_s_origin_and_keeps_the_path() -> None:
    client = TwilioHttpxClient(base_url="http://127.0.0.1:9999/edge/", timeout=1)
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=1"
    assert (
        client.rebase(url)
        == "http://127.0.0.1:9999/edge/2010-04-01/Accounts/AC1/Messages.json?PageSize=1"
    )
    assert TwilioHttpxClient(base_url=None, timeout=1).rebase(url) == url


async def test_sends_from_one_sender_are_paced(
    sms_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    adapter = TwilioSmsChannel(sms_settings.model_copy(update={"sms_messages_per_second": 5.0}))
    await adapter.start()
    try:
        # Five messages to five people at once, as the dispatcher sends them.
        await asyncio.gather(*(adapter.send(_message(mid=i)) for i in range(5)))
    finally:
        await adapter.stop()
    times = sorted(call.at for call in twilio_api.calls)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(times) == 5
    # 5 per second: four intervals of 0.2 s (with room for a loaded machine's jitter).
    assert times[-1] - times[0] >= 0.75, gaps
    assert min(gaps) >= 0.1, gaps


async def test_a_two_segment_message_takes_two_slots() -> None:
    now = [100.0]
    pacer = SenderPacer(1.0, clock=lambda: now[0])
    await pacer.wait_turn(segments=2)
    # The next slot is two seconds on (a little more: paced just under the rate): asking
    # with a short wait limit defers it.
    pacer.max_wait = 1.5
    with pytest.raises(TransientSendError) as raised:
        await pacer.wait_turn()
    assert raised.value.retry_after == pytest.approx(2.0 / HEADROOM)
    assert raised.value.consumes_attempt is False


def test_the_sms_channel_and_its_webhooks_exist_only_when_twilio_is_configured(
    settings: Settings, sms_settings: Settings
) -> None:
    assert isinstance(build_channels(sms_settings)["sms"], TwilioSmsChannel)
    assert "sms" not in build_channels(settings)
    with TestClient(create_app(settings)) as client:
        assert client.post("/webhooks/twilio/sms").status_code == 404
    with TestClient(create_app(sms_settings)) as client:
        assert client.post("/webhooks/twilio/sms").status_code == 403  # there, and guarded
