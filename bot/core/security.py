"""Password hashing (pwdlib's recommended Argon2 hasher) and access tokens (PyJWT, HS256).

Nothing is built at import time: the hasher and the dummy hash are made on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash

from bot.core.clock import utcnow
from bot.core.settings import Settings

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105  (a claim value, not a secret)
# The signing key is derived from SECRET_KEY for this one purpose, so a token key never equals
# a key used elsewhere, and it always has the 32 bytes RFC 7518 asks of an HS256 key.
_KEY_CONTEXT = b"jolserik/access-token/v1"
_USER_ID = re.compile(r"[1-9][0-9]{0,17}")


class InvalidTokenError(Exception):
    """The token is missing a claim, expired, forged, or not an access token."""


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int  # seconds


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Check a password; the second value is a new hash when the stored one is outdated."""
    try:
        return _hasher().verify_and_update(password, password_hash)
    except Exception:  # an unreadable stored hash is a failed login, never a 500
        return False, None


def burn_password_check(password: str) -> None:
    """Spend the time a real check costs, for an unknown e-mail (no user enumeration)."""
    _hasher().verify(password, _dummy_hash())


def _signing_key(settings: Settings) -> bytes:
    return hmac.new(settings.secret_key.encode(), _KEY_CONTEXT, hashlib.sha256).digest()


def create_access_token(
    user_id: int, settings: Settings, *, now: datetime | None = None
) -> AccessToken:
    issued = now or utcnow()
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(user_id),
        "iat": issued,
        "exp": issued + lifetime,
        "type": ACCESS_TOKEN_TYPE,
    }
    token = jwt.encode(claims, _signing_key(settings), algorithm=ALGORITHM)
    return AccessToken(token=token, expires_in=int(lifetime.total_seconds()))


def decode_access_token(token: str, settings: Settings) -> int:
    """Return the user id of a valid access token; raise InvalidTokenError otherwise."""
    try:
        claims = jwt.decode(
            token,
            _signing_key(settings),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp", "iat", "type"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(type(exc).__name__) from exc
    if claims.get("type") != ACCESS_TOKEN_TYPE:
        raise InvalidTokenError("not an access token")
    subject = claims["sub"]
    if not (isinstance(subject, str) and _USER_ID.fullmatch(subject)):
        raise InvalidTokenError("malformed subject")
    return int(subject)
