"""Staff accounts: create one, find one by e-mail."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func
from sqlmodel import Session, select

from bot.core import audit
from bot.core.security import hash_password
from bot.models import Organisation, User
from bot.models.enums import Role

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte per login attempt is a denial of service


def normalise_email(email: str) -> str:
    """Lower-cased, validated e-mail (no DNS lookup); ValueError with a readable reason."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"email: {exc}") from exc
    return checked.normalized.lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    wanted = email.strip().lower()
    if len(wanted) > 254 or "\x00" in wanted or not wanted.isprintable():
        return None  # no account has such an address (and PostgreSQL refuses NUL in text)
    return session.exec(select(User).where(func.lower(User.email) == wanted)).first()


def _role(value: Role | str) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise ValueError(f"role: unknown role {value!r}; choose one of {choices}") from None


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role | str,
    full_name: str = "",
    organisation_id: int | None = None,
    supervisor_id: int | None = None,
    region: str | None = None,
    actor_user_id: int | None = None,
) -> User:
    """Add a staff account and flush it (so it has an id); the caller commits.

    Raises ValueError for an invalid or already used e-mail, a password shorter than
    12 characters, an unknown role, or an organisation / supervisor that does not exist.
    """
    checked_role = _role(role)
    normalised = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"password: must be at most {MAX_PASSWORD_LENGTH} characters long")
    full_name = full_name.strip()
    if len(full_name) > 200:
        raise ValueError("full_name: must be at most 200 characters long")
    if find_user_by_email(session, normalised) is not None:
        raise ValueError(f"email: a user with the e-mail {normalised} already exists")
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise ValueError(f"organisation_id: no organisation #{organisation_id}")
    if supervisor_id is not None:
        supervisor = session.get(User, supervisor_id)
        if supervisor is None or supervisor.role not in (Role.supervisor, Role.admin):
            raise ValueError(f"supervisor_id: no supervisor #{supervisor_id}")

    user = User(
        email=normalised,
        full_name=full_name,
        role=checked_role,
        organisation_id=organisation_id,
        supervisor_id=supervisor_id,
        region=region,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=actor_user_id,
        actor_kind="user" if actor_user_id is not None else "system",
        detail={"role": checked_role.value},
    )
    return user
