"""How a webhook proves it came from us: HMAC-SHA256 over `timestamp.body` with the
organisation's own secret. The README shows partners the same check in a few lines."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TIMESTAMP_HEADER = "X-Jolserik-Timestamp"
SIGNATURE_HEADER = "X-Jolserik-Signature"
SIGNATURE_PREFIX = "sha256="
# A receiver should refuse older timestamps: a recorded request replayed later fails.
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh secret: 256 bits, URL-safe, shown to the partner once."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(secret: str, timestamp: str, body: bytes, given: str, *, now: int) -> bool:
    """The receiver's side, as documented: used by our tests to check what we send."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), given)
