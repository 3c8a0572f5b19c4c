"""Staff accounts: create, change, list and find them.

The rules every path shares (the admin API and `jolserik users create`): an NGO account
belongs to exactly one organisation and no one else has one; a supervisor is an active
supervisor or admin and the chain of supervisors has no loop; passwords are 12-1,024
characters. Deactivating an account revokes its refresh tokens (its access tokens fail
already, because the current user must be active).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core import audit
from bot.core.security import hash_password
from bot.models import Organisation, User
from bot.models.enums import Role
from bot.services import Conflict, InvalidInput
from bot.services import sessions as session_service
from bot.services import totp as totp_service
from bot.services.persons import is_known_timezone

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte per login attempt is a denial of service


def normalise_email(email: str) -> str:
    """Lower-cased, validated e-mail (no DNS lookup); ValueError with a readable reason."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput("email", str(exc)) from exc
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
        raise InvalidInput("role", f"unknown role {value!r}; choose one of {choices}") from None


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
    language: str = "ru",
    timezone: str = "Asia/Almaty",
    actor_user_id: int | None = None,
) -> User:
    """Add a staff account and flush it (so it has an id); the caller commits.

    Raises InvalidInput (a ValueError) for an invalid or already used
    e-mail, a password shorter than 12 characters, an unknown role, an organisation missing
    for an NGO account (or given for another role), or a supervisor that is not an active
    supervisor or admin.
    """
    checked_role = _role(role)
    normalised = normalise_email(email)
    check_password_rules(password)
    check_language_and_zone(language, timezone)
    full_name = full_name.strip()
    if len(full_name) > 200:
        raise InvalidInput("full_name", "must be at most 200 characters long")
    if find_user_by_email(session, normalised) is not None:
        raise InvalidInput("email", f"a user with the e-mail {normalised} already exists")
    check_organisation(session, checked_role, organisation_id)
    check_supervisor(session, None, supervisor_id)

    user = User(
        email=normalised,
        full_name=full_name,
        role=checked_role,
        organisation_id=organisation_id,
        supervisor_id=supervisor_id,
        region=region,
        language=language,
        timezone=timezone,
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


LANGUAGES = ("ru", "kk", "en")
SUPERVISOR_ROLES = (Role.supervisor, Role.admin)


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(field, f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(field, f"must be at most {MAX_PASSWORD_LENGTH} characters long")


def check_language_and_zone(language: str | None, timezone: str | None) -> None:
    if language is not None and language not in LANGUAGES:
        raise InvalidInput("language", f"choose one of {', '.join(LANGUAGES)}")
    if timezone is not None and not is_known_timezone(timezone):
        raise InvalidInput("timezone", "not an IANA time zone, e.g. Asia/Almaty")


def check_organisation(session: Session, role: Role, organisation_id: int | None) -> None:
    """An NGO account needs its organisation; no other account has one."""
    if role == Role.ngo:
        if organisation_id is None:
            raise InvalidInput("organisation_id", "required for an ngo account")
        if session.get(Organisation, organisation_id) is None:
            raise InvalidInput("organisation_id", f"no organisation #{organisation_id}")
    elif organisation_id is not None:
        raise InvalidInput("organisation_id", "only ngo accounts belong to an organisation")


def check_supervisor(session: Session, user_id: int | None, supervisor_id: int | None) -> None:
    """An active supervisor or admin, and not the user or anyone the user supervises."""
    if supervisor_id is None:
        return
    supervisor = session.get(User, supervisor_id)
    if supervisor is None or supervisor.role not in SUPERVISOR_ROLES or not supervisor.is_active:
        raise InvalidInput("supervisor_id", f"no active supervisor or admin #{supervisor_id}")
    seen: set[int] = set()
    current: User | None = supervisor
    while current is not None and current.id is not None and current.id not in seen:
        if current.id == user_id:
            raise InvalidInput("supervisor_id", "would make a loop of supervisors")
        seen.add(current.id)
        current = session.get(User, current.supervisor_id) if current.supervisor_id else None


@dataclass(frozen=True)
class UsersPage:
    items: list[User]
    next_after: int | None


def list_users(
    session: Session,
    *,
    limit: int,
    after: int | None = None,
    role: Role | None = None,
    is_active: bool | None = None,
) -> UsersPage:
    """Staff accounts in id order, a page at a time (keyset: ids after `after`)."""
    query = select(User).order_by(col(User.id)).limit(limit + 1)
    if after is not None:
        query = query.where(col(User.id) > after)
    if role is not None:
        query = query.where(User.role == role)
    if is_active is not None:
        query = query.where(col(User.is_active).is_(is_active))
    rows = list(session.exec(query))
    items = rows[:limit]
    return UsersPage(items=items, next_after=items[-1].id if len(rows) > limit else None)


# The fields an admin may change, and how they are audited (values, or only "changed").
UPDATABLE = (
    "email",
    "full_name",
    "role",
    "supervisor_id",
    "organisation_id",
    "region",
    "is_active",
    "language",
    "timezone",
)
SECRET_FIELDS = frozenset({"password", "reset_second_factor"})


def update_user(
    session: Session, user: User, changes: dict[str, Any], *, actor: User, now: datetime
) -> list[str]:
    """Apply an admin's changes (only the keys given); the names of the fields changed.

    `password` sets a new password and ends every session; `reset_second_factor` clears
    a lost authenticator. Raises InvalidInput (422) or Conflict (409): an admin may not
    deactivate or demote themselves (the last admin could lock everyone out), and a
    supervisor of active staff keeps a supervising role.
    """
    assert user.id is not None
    if "email" in changes:
        changes["email"] = normalise_email(changes["email"])
        other = find_user_by_email(session, changes["email"])
        if other is not None and other.id != user.id:
            raise InvalidInput("email", "another account uses this e-mail")
    role = Role(changes.get("role", user.role))
    if user.id == actor.id and (
        changes.get("is_active") is False or ("role" in changes and role != Role.admin)
    ):
        raise Conflict("You cannot deactivate or demote your own account.")
    organisation_id = changes.get("organisation_id", user.organisation_id)
    if "role" in changes and role != Role.ngo and "organisation_id" not in changes:
        organisation_id = None  # leaving the NGO role leaves the organisation
        changes["organisation_id"] = None
    if "role" in changes or "organisation_id" in changes:
        check_organisation(session, role, organisation_id)
    if "supervisor_id" in changes:
        check_supervisor(session, user.id, changes["supervisor_id"])
    leaves_supervision = role not in SUPERVISOR_ROLES or changes.get("is_active") is False
    if leaves_supervision and user.role in SUPERVISOR_ROLES:
        supervised = session.exec(
            select(func.count())
            .select_from(User)
            .where(User.supervisor_id == user.id, col(User.is_active).is_(True))
        ).one()
        if supervised:
            raise Conflict(
                f"This account supervises {supervised} active staff; give them another "
                "supervisor first."
            )
    check_language_and_zone(changes.get("language"), changes.get("timezone"))

    changed = [
        name for name in UPDATABLE if name in changes and getattr(user, name) != changes[name]
    ]
    for name in changed:
        setattr(user, name, changes[name])
    if changes.get("password") is not None:
        check_password_rules(changes["password"])
        user.password_hash = hash_password(changes["password"])
        user.password_changed_at = now
        changed.append("password")
    if changes.get("reset_second_factor"):
        totp_service.reset(user)
        changed.append("second_factor")
    if ("is_active" in changed and not user.is_active) or "password" in changed:
        session_service.revoke_all(session, user.id, now=now)
    session.add(user)
    audit.record(
        session,
        action="user.update",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=actor.id,
        detail={
            "changed": changed,
            "values": {
                name: str(getattr(user, name)) if name == "role" else getattr(user, name)
                for name in changed
                if name in ("role", "supervisor_id", "organisation_id", "is_active")
            },
        },
    )
    session.flush()
    return changed


def update_own(session: Session, user: User, changes: dict[str, Any]) -> list[str]:
    """A staff member's own profile (name, alert channels, digest hour, language, time
    zone), audited with the names of the fields changed. Returns those names."""
    check_language_and_zone(changes.get("language"), changes.get("timezone"))
    changed = sorted(name for name, value in changes.items() if getattr(user, name) != value)
    for name in changed:
        setattr(user, name, changes[name])
    session.add(user)
    audit.record(
        session,
        action="user.update_own",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=user.id,
        detail={"changed": changed},
    )
    return changed
