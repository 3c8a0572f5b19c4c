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


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step (this one or a neighbour, for clock drift) whose code this is."""
    code = code.strip().replace(" ", "")
    if not _TOTP_CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept_step(user: User, step: int | None) -> bool:
    """Accept a code's step once: a step at or before the last one used is a replay."""
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def confirm(user: User, code: str, *, now: datetime, settings: Settings) -> list[str]:
    """Enable the enrolled secret with a current code; the recovery codes, shown once."""
    if user.totp_enabled_at is not None:
        raise Conflict("A second factor is already enabled for this account.")
    if user.totp_secret is None:
        raise Conflict("Start the enrolment first: POST /api/v1/me/totp.")
    if not _accept_step(user, matching_step(user.totp_secret, code, now)):
        raise InvalidInput("code", "this code is not the current one; check the app's clock")
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    user.totp_recovery_hashes = [_recovery_hash(c, settings) for c in codes]
    user.totp_enabled_at = now
    return codes


def check_second_factor(user: User, code: str, *, now: datetime, settings: Settings) -> str | None:
    """Accept `code` for this user and spend it: "totp", "recovery", or None when it is
    neither (a wrong, replayed or used-up code). Call it in the write transaction, with the
    user's row locked, so two logins cannot spend the same code."""
    if user.totp_secret is None or user.totp_enabled_at is None or not code:
        return None
    step = matching_step(user.totp_secret, code, now)
    if step is not None:
        return "totp" if _accept_step(user, step) else None
    return "recovery" if consume_recovery_code(user, code, settings) else None


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
    user.totp_last_step = None
