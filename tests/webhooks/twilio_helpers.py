"""Requests as Twilio makes them: the form fields it posts, signed with twilio's own
RequestValidator over the public URL (the app sees http://testserver, as behind a proxy)."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from httpx import Response
from twilio.request_validator import RequestValidator

from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, PUBLIC_BASE_URL

SMS_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"


class _Params:
    """The posted fields with repeats, the shape RequestValidator reads (`getall`)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(name for name, _ in self.pairs)

    def getall(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]


def sign(url: str, pairs: list[tuple[str, str]], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, _Params(pairs))


def post_signed(
    client: TestClient,
    path: str,
    pairs: list[tuple[str, str]],
    *,
    signature: str | None = None,
    signed_url: str | None = None,
) -> Response:
    """POST the form as Twilio does. By default signed correctly for PUBLIC_BASE_URL."""
    if signature is None:
        signature = sign(signed_url or PUBLIC_BASE_URL + path, pairs)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature:
        headers["X-Twilio-Signature"] = signature
    return client.post(path, content=urlencode(pairs).encode(), headers=headers)


def new_sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


def inbound_form(
    sender: str, body: str, *, sid: str | None = None, num_media: int = 0, **extra: str
) -> list[tuple[str, str]]:
    """The fields of an inbound SMS webhook, as Twilio sends them today."""
    sid = sid or new_sid()
    pairs = [
        ("ToCountry", "US"),
        ("ToState", "CA"),
        ("SmsMessageSid", sid),
        ("NumMedia", str(num_media)),
        ("ToCity", ""),
        ("FromZip", ""),
        ("SmsSid", sid),
        ("FromState", ""),
        ("SmsStatus", "received"),
        ("FromCity", ""),
        ("Body", body),
        ("FromCountry", "KZ"),
        ("To", FROM_NUMBER),
        ("ToZip", ""),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", sender),
        ("ApiVersion", "2010-04-01"),
    ]
    if num_media:
        pairs += [("MediaContentType0", "image/jpeg"), ("MediaUrl0", "https://api.twilio.com/m")]
    pairs += list(extra.items())
    return pairs


def status_form(sid: str, status: str, error_code: str | None = None) -> list[tuple[str, str]]:
    pairs = [
        ("SmsSid", sid),
        ("SmsStatus", status),
        ("MessageStatus", status),
        ("To", "+77011234567"),
        ("MessageSid", sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", FROM_NUMBER),
        ("ApiVersion", "2010-04-01"),
    ]
    if error_code:
        pairs.append(("ErrorCode", error_code))
    return pairs


def say(client: TestClient, sender: str, body: str, **extra: str) -> Response:
    response = post_signed(client, SMS_PATH, inbound_form(sender, body, **extra))
    assert response.status_code == 200, response.text
    return response
