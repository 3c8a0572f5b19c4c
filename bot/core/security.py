"""Password hashing (pwdlib's recommended Argon2 hasher), access tokens (PyJWT, HS256),
refresh-token digests and the keyed hash that names an account in the login throttle.

Nothing is built at import time: the hasher, the dummy hash and the hashing semaphore are
made on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
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
_EMAIL_KEY_CONTEXT = b"jolserik/login-email/v1"
# An access token with this scope may only enrol a second factor (see admin/access.py).
ENROL_SCOPE = "totp-enrol"
_USER_ID = re.compile(r"[1-9][0-9]{0,17}")


class InvalidTokenError(Exception):
    """The token is missing a claim, expired, forged, or not an access token."""


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int  # seconds


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    session_id: int | None  # the refresh token this access token came with
    scope: str | None  # None: full access; ENROL_SCOPE: second-factor enrolment only


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


@cache
def _hash_slots(concurrency: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(concurrency)


def check_password_limited(
    password: str, password_hash: str | None, concurrency: int
) -> tuple[bool, str | None]:
    """`verify_password`, with at most `concurrency` checks running at once in this process.

    Argon2 takes tens of milliseconds of CPU and memory on purpose; a flood of logins must
    queue here rather than starve the rest of the service. Call it with no database
    transaction open: on SQLite an open transaction holds the write lock. A missing hash
    (unknown e-mail) spends the same time and fails.
    """
    with _hash_slots(concurrency):
        if password_hash is None:
            burn_password_check(password)
            return False, None
        return verify_password(password, password_hash)


def email_key(email: str, settings: Settings) -> str:
    """The login throttle's name for an account: never the e-mail itself."""
    key = hmac.new(settings.secret_key.encode(), _EMAIL_KEY_CONTEXT, hashlib.sha256).digest()
    normalised = email.strip().lower().encode("utf-8", "surrogatepass")
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()


def new_opaque_token() -> str:
    """A random bearer secret (refresh tokens): 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of an opaque token: its SHA-256, hex (it has 256 random bits)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _signing_key(settings: Settings) -> bytes:
    return hmac.new(settings.secret_key.encode(), _KEY_CONTEXT, hashlib.sha256).digest()


def create_access_token(
    user_id: int,
    settings: Settings,
    *,
    now: datetime | None = None,
    session_id: int | None = None,
    scope: str | None = None,
) -> AccessToken:
    issued = now or utcnow()
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims: dict[str, object] = {
        "sub": str(user_id),
        "iat": issued,
        "exp": issued + lifetime,
        "type": ACCESS_TOKEN_TYPE,
    }
    if session_id is not None:
        claims["sid"] = session_id
    if scope is not None:
        claims["scope"] = scope
    token = jwt.encode(claims, _signing_key(settings), algorithm=ALGORITHM)
    return AccessToken(token=token, expires_in=int(lifetime.total_seconds()))


def decode_access_token(token: str, settings: Settings) -> int:
    """Return the user id of a valid access token; raise InvalidTokenError otherwise."""
    return decode_access_claims(token, settings).user_id


def decode_access_claims(token: str, settings: Settings) -> AccessClaims:
    """The claims of a valid access token; raise InvalidTokenError otherwise."""
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
    session_id = claims.get("sid")
    if session_id is not None and not (
        isinstance(session_id, int) and not isinstance(session_id, bool) and session_id > 0
    ):
        raise InvalidTokenError("malformed session")
    scope = claims.get("scope")
    if scope is not None and scope != ENROL_SCOPE:
        raise InvalidTokenError("unknown scope")
    return AccessClaims(user_id=int(subject), session_id=session_id, scope=scope)
