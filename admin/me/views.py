"""The signed-in staff member's own account: profile, alert settings, password, TOTP.

(`POST /me/telegram-link`, linking a Telegram chat for alerts, lives with the alerts.)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import Field as PydanticField
from pydantic import StringConstraints
from sqlmodel import SQLModel

from admin.access import ALL_STAFF, CurrentClaims, CurrentUser, EnrollingUser, allow
from admin.auth import client_address
from admin.lookup import service_errors
from admin.persons.schemas import Language, _Input
from admin.users.schemas import FullName, Password, TimeZone, UserPublic
from admin.validation import LineChars, TextChars
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.core.security import check_password_limited, email_key, hash_password
from bot.models import User
from bot.services import login_throttle
from bot.services import sessions as session_service
from bot.services import totp as totp_service
from bot.services.users import MAX_PASSWORD_LENGTH, update_own

router = APIRouter(prefix="/me", tags=["me"])

WRONG_PASSWORD = "The current password is wrong."  # noqa: S105
LOCKED = "Too many failed attempts; try again later."


class MePublic(UserPublic):
    alert_email: bool
    alert_telegram: bool
    digest_hour: int | None
    telegram_linked: bool

    @classmethod
    def from_me(cls, user: User) -> MePublic:
        return cls(
            **UserPublic.from_user(user).model_dump(),
            alert_email=user.alert_email,
            alert_telegram=user.alert_telegram,
            digest_hour=user.digest_hour,
            telegram_linked=user.telegram_chat_id is not None,
        )


class MeUpdate(_Input):
    full_name: FullName | None = None
    alert_email: bool | None = None
    alert_telegram: bool | None = None
    # null: the deployment's STAFF_DIGEST_HOUR.
    digest_hour: Annotated[int, PydanticField(ge=0, le=23, strict=True)] | None = None
    language: Language | None = None
    timezone: TimeZone | None = None


class PasswordChange(_Input):
    old_password: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH), TextChars
    ]
    new_password: Password


class TotpEnrolment(SQLModel):
    secret: str
    otpauth_uri: str


class TotpConfirm(_Input):
    code: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16), LineChars
    ]


class RecoveryCodes(SQLModel):
    recovery_codes: list[str]


NOT_NULL = ("full_name", "alert_email", "alert_telegram", "language", "timezone")


@router.get("", response_model=MePublic, **allow(*ALL_STAFF))
def read_me(user: CurrentUser) -> MePublic:
    return MePublic.from_me(user)


@router.patch("", response_model=MePublic, **allow(*ALL_STAFF))
def update_me(body: MeUpdate, user: CurrentUser, session: SessionDep) -> MePublic:
    changes = body.model_dump(exclude_unset=True)
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} cannot be null.")
    with service_errors():
        update_own(session, user, changes)
    session.commit()
    return MePublic.from_me(user)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT, **allow(*ALL_STAFF))
def change_password(
    body: PasswordChange,
    request: Request,
    user: CurrentUser,
    claims: CurrentClaims,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Needs the current password (throttled like a login); ends every other session."""
    assert user.id is not None
    address = client_address(request)
    key = email_key(str(user.email), settings)
    wait = login_throttle.seconds_locked(
        session, email_key=key, address=address, now=utcnow(), settings=settings
    )
    old_hash = user.password_hash
    session.rollback()  # no transaction (and, on SQLite, no write lock) during the hash check
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, LOCKED, headers={"Retry-After": str(wait)}
        )
    valid, _ = check_password_limited(
        body.old_password, old_hash, settings.password_hash_concurrency
    )
    new_hash = hash_password(body.new_password) if valid else None
    now = utcnow()
    if new_hash is None:
        login_throttle.record_attempt(
            session, email_key=key, address=address, succeeded=False, now=now
        )
        audit.record(
            session,
            action="user.password_change_failed",
            entity_type="user",
            entity_id=user.id,
            actor_user_id=user.id,
            address=address,
        )
        session.commit()
        raise HTTPException(status.HTTP_403_FORBIDDEN, WRONG_PASSWORD)
    me = session.get(User, user.id)
    assert me is not None
    me.password_hash = new_hash
    me.password_changed_at = now
    session.add(me)
    revoked = session_service.revoke_all(session, user.id, now=now, keep_id=claims.session_id)
    audit.record(
        session,
        action="user.password_change",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=user.id,
        detail={"sessions_ended": revoked},
        address=address,
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/totp",
    response_model=TotpEnrolment,
    status_code=status.HTTP_201_CREATED,
    **allow(*ALL_STAFF, during_enrolment=True),
)
def start_totp(user: EnrollingUser, session: SessionDep, response: Response) -> TotpEnrolment:
    """A new secret for an authenticator app; not in force until confirmed. Starting again
    before confirming replaces the secret."""
    response.headers["Cache-Control"] = "no-store"
    with service_errors():
        secret, uri = totp_service.start_enrolment(user)
    session.add(user)
    audit.record(
        session,
        action="user.totp_start",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=user.id,
    )
    session.commit()
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


@router.post(
    "/totp/confirm",
    response_model=RecoveryCodes,
    **allow(*ALL_STAFF, during_enrolment=True),
)
def confirm_totp(
    body: TotpConfirm,
    user: EnrollingUser,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> RecoveryCodes:
    """Enable the second factor with a current code; the ten recovery codes, shown once.
    From now on a login needs `otp` (a code, or a recovery code, each usable once)."""
    response.headers["Cache-Control"] = "no-store"
    with service_errors():
        codes = totp_service.confirm(user, body.code, now=utcnow(), settings=settings)
    session.add(user)
    audit.record(
        session,
        action="user.totp_enable",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=user.id,
    )
    session.commit()
    return RecoveryCodes(recovery_codes=codes)
