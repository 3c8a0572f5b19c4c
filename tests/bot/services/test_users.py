"""bot.services.users.create_user: what the CLI and the demo seed rely on."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.db import session_scope
from bot.core.security import verify_password
from bot.models import AuditEvent, Organisation, User
from bot.services.users import create_user, find_user_by_email

PASSWORD = "a long enough password"


def test_creates_a_user_with_a_hashed_password(engine: Engine) -> None:
    with session_scope(engine) as session:
        user = create_user(
            session,
            email=" Officer@Example.ORG ",
            password=PASSWORD,
            role="Officer",
            full_name="  Aigerim  ",
        )
        user_id = user.id

    with Session(engine) as session:
        stored = session.get(User, user_id)
        assert stored is not None
        assert stored.email == "officer@example.org"
        assert stored.role == "officer"
        assert stored.full_name == "Aigerim"
        assert stored.is_active
        assert PASSWORD not in stored.password_hash
        assert stored.password_hash.startswith("$argon2")
        assert verify_password(PASSWORD, stored.password_hash)[0]
        assert not verify_password("another password", stored.password_hash)[0]
        assert find_user_by_email(session, "OFFICER@example.org") is not None
        [event] = session.exec(select(AuditEvent)).all()
        assert (event.action, event.entity_id, event.actor_kind) == (
            "user.create",
            user_id,
            "system",
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short-pass1"}, "at least 12 characters"),
        ({"role": "superuser"}, "unknown role 'superuser'"),
        ({"email": "not-an-email"}, "email:"),
        ({"email": "a@b"}, "email:"),
        ({"role": "ngo", "organisation_id": 4242}, "no organisation #4242"),
        ({"role": "ngo"}, "required for an ngo account"),
        ({"organisation_id": 4242}, "only ngo accounts belong to an organisation"),
        ({"supervisor_id": 4242}, "no active supervisor or admin #4242"),
        ({"timezone": "Mars/Olympus"}, "not an IANA time zone"),
        ({"language": "de"}, "choose one of ru, kk, en"),
    ],
)
def test_refuses_bad_input(engine: Engine, fields: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "email": "x@example.org",
        "password": PASSWORD,
        "role": "officer",
    } | fields
    with session_scope(engine) as session, pytest.raises(ValueError, match=message):
        create_user(session, **arguments)  # type: ignore[arg-type]


def test_refuses_a_duplicate_email_in_any_case(engine: Engine) -> None:
    with session_scope(engine) as session:
        create_user(session, email="dup@example.org", password=PASSWORD, role="officer")
    with session_scope(engine) as session, pytest.raises(ValueError, match="already exists"):
        create_user(session, email="DUP@example.org", password=PASSWORD, role="admin")


def test_ngo_user_with_an_organisation(engine: Engine) -> None:
    with session_scope(engine) as session:
        organisation = Organisation(name="Shanyrak", services=["housing"])
        session.add(organisation)
        session.flush()
        user = create_user(
            session,
            email="ngo@example.org",
            password=PASSWORD,
            role="ngo",
            organisation_id=organisation.id,
        )
        assert user.organisation_id == organisation.id
