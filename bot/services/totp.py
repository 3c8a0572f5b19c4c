"""The second factor: TOTP (RFC 6238, pyotp) with single-use recovery codes.

Enrolment stores a new secret without enabling it; confirming it with a current code
enables it and hands out ten recovery codes once. Only keyed hashes of the codes are
kept, and a code is removed when it is used.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp

from bot.core.settings import Settings
from bot.models import User
from bot.models.enums import Role
from bot.services import Conflict, InvalidInput

ISSUER = "Jolserik"
RECOVERY_CODE_COUNT = 10
_RECOVERY_CONTEXT = b"jolserik/recovery-code/v1"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
_TOTP_CODE = re.compile(r"[0-9]{6}")


def totp_required(user: User, settings: Settings) -> bool:
    """Admins must use a second factor in production; anyone who enabled one must use it."""
    return user.totp_enabled_at is not None or (settings.is_production and user.role == Role.admin)


def start_enrolment(user: User) -> tuple[str, str]:
    """A new (not yet enabled) secret and its otpauth:// URI for an authenticator app."""
    if user.totp_enabled_at is not None:
        raise Conflict("A second factor is already enabled for this account.")
    secret = pyotp.random_base32()
    user.totp_secret = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=str(user.email), issuer_name=ISSUER)
    return secret, uri


def _recovery_hash(code: str, settings: Settings) -> str:
    key = hmac.new(settings.secret_key.encode(), _RECOVERY_CONTEXT, hashlib.sha256).digest()
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    return hmac.new(key, normalised.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))  # ~49 bits
    return f"{raw[:5]}-{raw[5:]}"


def code_is_current(secret: str, code: str) -> bool:
    """A six-digit code of this or the neighbouring 30-second step (clock drift)."""
    code = code.strip().replace(" ", "")
    return bool(_TOTP_CODE.fullmatch(code)) and pyotp.TOTP(secret).verify(code, valid_window=1)


def confirm(user: User, code: str, *, now: datetime, settings: Settings) -> list[str]:
    """Enable the enrolled secret with a current code; the recovery codes, shown once."""
    if user.totp_enabled_at is not None:
        raise Conflict("A second factor is already enabled for this account.")
    if user.totp_secret is None:
        raise Conflict("Start the enrolment first: POST /api/v1/me/totp.")
    if not code_is_current(user.totp_secret, code):
        raise InvalidInput("code", "this code is not the current one; check the app's clock")
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    user.totp_recovery_hashes = [_recovery_hash(c, settings) for c in codes]
    user.totp_enabled_at = now
    return codes


def second_factor_kind(user: User, code: str, settings: Settings) -> str | None:
    """Which factor `code` is for this user: "totp", "recovery", or None when neither.

    Reads only; `consume_recovery_code` spends a recovery code in the write transaction.
    """
    if user.totp_secret is None or user.totp_enabled_at is None or not code:
        return None
    if code_is_current(user.totp_secret, code):
        return "totp"
    if _recovery_hash(code, settings) in (user.totp_recovery_hashes or []):
        return "recovery"
    return None


def consume_recovery_code(user: User, code: str, settings: Settings) -> bool:
    """Remove a recovery code; False when it was already used (a concurrent login)."""
    digest = _recovery_hash(code, settings)
    remaining = list(user.totp_recovery_hashes or [])
    if digest not in remaining:
        return False
    remaining.remove(digest)
    user.totp_recovery_hashes = remaining  # a new list, so the JSON column is written
    return True


def reset(user: User) -> None:
    """An admin's reset of a lost second factor: the user enrols again."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_recovery_hashes = []
