"""Access tokens and password hashes (no database)."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from bot.core.clock import utcnow
from bot.core.security import (
    InvalidTokenError,
    _signing_key,
    create_access_token,
    decode_access_token,
    hash_password,
    verify_password,
)
from bot.core.settings import load_settings

SETTINGS = load_settings(_env_file=None, secret_key="k" * 40, access_token_minutes=30)


def test_round_trip_and_claims() -> None:
    issued = create_access_token(7, SETTINGS)
    assert issued.expires_in == 30 * 60
    assert decode_access_token(issued.token, SETTINGS) == 7
    claims = jwt.decode(issued.token, options={"verify_signature": False})
    assert claims["sub"] == "7"
    assert claims["type"] == "access"
    assert claims["exp"] - claims["iat"] == 30 * 60


def test_another_secret_key_does_not_verify() -> None:
    token = create_access_token(7, SETTINGS).token
    other = load_settings(_env_file=None, secret_key="z" * 40)
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, other)


@pytest.mark.parametrize(
    "claims",
    [
        {"type": "refresh"},
        {"sub": "not-a-number"},
        {"sub": 7},
        {"sub": "0"},
        {"type": None},
    ],
)
def test_wrong_claims_are_refused(claims: dict[str, object]) -> None:
    now = utcnow()
    payload = {"sub": "7", "iat": now, "exp": now + timedelta(minutes=5), "type": "access"}
    payload = {k: v for k, v in (payload | claims).items() if v is not None}
    token = jwt.encode(payload, _signing_key(SETTINGS), algorithm="HS256")
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, SETTINGS)


def test_missing_exp_is_refused() -> None:
    token = jwt.encode(
        {"sub": "7", "iat": utcnow(), "type": "access"}, _signing_key(SETTINGS), algorithm="HS256"
    )
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, SETTINGS)


def test_a_broken_stored_hash_is_a_failed_check() -> None:
    assert verify_password("whatever password", "not-a-hash") == (False, None)
    assert verify_password("whatever password", hash_password("whatever password"))[0]
