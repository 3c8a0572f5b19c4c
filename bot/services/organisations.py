"""Partner organisations and their openings: create, change, list. Validation of each
field's shape is the schemas' job; the rules that need the database or the deployment
(phone numbers, the webhook address, who may touch which opening) are here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.core import audit
from bot.core.settings import Settings
from bot.core.url_safety import UnsafeUrl, check_webhook_url
from bot.models import Opportunity, Organisation, User
from bot.models.enums import Role
from bot.partner_webhooks.signing import new_secret
from bot.services import InvalidInput
from bot.services.persons import MAX_ID, normalise_phone

ORGANISATION_FIELDS = (
    "name",
    "services",
    "regions",
    "languages",
    "contact_email",
    "contact_phone",
    "address",
    "opening_hours",
    "is_active",
    "webhook_url",
)
OPPORTUNITY_FIELDS = (
    "kind",
    "field",
    "region",
    "title",
    "description",
    "how_to_apply",
    "capacity",
    "status",
    "closes_at",
)


def _clean(values: dict[str, Any], settings: Settings) -> dict[str, Any]:
    cleaned = dict(values)
    for name in ("services", "languages"):
        if cleaned.get(name) is not None:
            cleaned[name] = [str(v) for v in cleaned[name]]
    if cleaned.get("contact_phone"):
        try:
            cleaned["contact_phone"] = normalise_phone(
                cleaned["contact_phone"], settings.default_region
            )
        except InvalidInput as exc:
            raise InvalidInput("contact_phone", exc.message) from None
    if cleaned.get("contact_email") is not None:
        cleaned["contact_email"] = str(cleaned["contact_email"]).lower()
    if cleaned.get("webhook_url"):
        try:
            cleaned["webhook_url"] = check_webhook_url(
                cleaned["webhook_url"], production=settings.is_production
            )
        except UnsafeUrl as exc:
            raise InvalidInput("webhook_url", str(exc)) from None
    return cleaned


def find_by_name(session: Session, name: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.name == name)).first()


def create_organisation(
    session: Session,
    settings: Settings,
    values: dict[str, Any],
    *,
    actor: User | None,
    now: datetime,
) -> tuple[Organisation, str | None]:
    """The new organisation, and its webhook secret when it has a webhook (shown once)."""
    cleaned = _clean(values, settings)
    if find_by_name(session, cleaned["name"]) is not None:
        raise InvalidInput("name", "an organisation with this name exists; change that one")
    organisation = Organisation(
        **{k: cleaned[k] for k in ORGANISATION_FIELDS if k in cleaned},
        created_at=now,
        updated_at=now,
    )
    secret = new_secret() if organisation.webhook_url else None
    organisation.webhook_secret = secret
    session.add(organisation)
    session.flush()
    _audit(session, "organisation.create", organisation, actor, sorted(cleaned))
    return organisation, secret


def update_organisation(
    session: Session,
    settings: Settings,
    organisation: Organisation,
    values: dict[str, Any],
    *,
    actor: User | None,
    now: datetime,
) -> str | None:
    """Apply the given fields; a webhook URL set anew switches the webhook back on and,
    the first time, makes its secret (returned, to be shown once)."""
    cleaned = _clean(values, settings)
    if "name" in cleaned and cleaned["name"] != organisation.name:
        other = find_by_name(session, cleaned["name"])
        if other is not None and other.id != organisation.id:
            raise InvalidInput("name", "another organisation has this name")
    for name in ORGANISATION_FIELDS:
        if name in cleaned and (name in _NULLABLE or cleaned[name] is not None):
            setattr(organisation, name, cleaned[name])
    secret = None
    if cleaned.get("webhook_url"):
        organisation.webhook_disabled_at = None
        if not organisation.webhook_secret:
            secret = organisation.webhook_secret = new_secret()
    organisation.updated_at = now
    session.add(organisation)
    _audit(session, "organisation.update", organisation, actor, sorted(cleaned))
    return secret


_NULLABLE = frozenset({"contact_email", "contact_phone", "address", "opening_hours", "webhook_url"})


def get_organisation(session: Session, organisation_id: int) -> Organisation | None:
    return session.get(Organisation, organisation_id) if 1 <= organisation_id <= MAX_ID else None


def list_organisations(
    session: Session, *, after: int | None, limit: int, active: bool | None
) -> list[Organisation]:
    query = select(Organisation)
    if after is not None:
        query = query.where(col(Organisation.id) > after)
    if active is not None:
        query = query.where(col(Organisation.is_active).is_(active))
    return list(session.exec(query.order_by(col(Organisation.id)).limit(limit)))


# --- opportunities ---------------------------------------------------------------------------


def may_manage(user: User | None, organisation_id: int) -> bool:
    """NGO staff manage their own organisation's openings; caseworkers and admins any;
    the operator's command line (no user) too."""
    if user is None:
        return True
    if user.role == Role.ngo:
        return user.organisation_id == organisation_id
    return user.role in (Role.admin, Role.supervisor, Role.officer)


def create_opportunity(
    session: Session, values: dict[str, Any], *, actor: User | None, now: datetime
) -> Opportunity | None:
    """None when the organisation is not one the caller may manage (answered 404)."""
    organisation = get_organisation(session, values["organisation_id"])
    if organisation is None or not may_manage(actor, organisation.id):  # type: ignore[arg-type]
        return None
    opportunity = Opportunity(
        organisation_id=organisation.id,  # type: ignore[arg-type]
        **{k: _plain(values[k]) for k in OPPORTUNITY_FIELDS if k in values},
        created_at=now,
        updated_at=now,
    )
    session.add(opportunity)
    session.flush()
    _audit(session, "opportunity.create", opportunity, actor, sorted(values))
    return opportunity


def get_opportunity_for(session: Session, user: User, opportunity_id: int) -> Opportunity | None:
    opportunity = (
        session.get(Opportunity, opportunity_id) if 1 <= opportunity_id <= MAX_ID else None
    )
    if opportunity is None or not may_manage(user, opportunity.organisation_id):
        return None  # another organisation's opening answers like a missing one
    return opportunity


def update_opportunity(
    session: Session,
    opportunity: Opportunity,
    values: dict[str, Any],
    *,
    actor: User | None,
    now: datetime,
) -> None:
    merged_title = values.get("title") or opportunity.title
    for name in ("description", "how_to_apply"):
        texts = values.get(name) if values.get(name) is not None else getattr(opportunity, name)
        extra = set(texts or {}) - set(merged_title or {})
        if extra:
            raise InvalidInput(name, f"no title in {', '.join(sorted(extra))}: add it first")
    for name in OPPORTUNITY_FIELDS:
        if name in values and (
            values[name] is not None or name in ("capacity", "closes_at", "region")
        ):
            setattr(opportunity, name, _plain(values[name]))
    opportunity.updated_at = now
    session.add(opportunity)
    _audit(session, "opportunity.update", opportunity, actor, sorted(values))


def list_opportunities(
    session: Session,
    user: User,
    *,
    after: int | None,
    limit: int,
    organisation_id: int | None,
    region: str | None,
    kind: str | None,
    status: str | None,
) -> list[Opportunity]:
    query = select(Opportunity)
    if user.role == Role.ngo:
        query = query.where(Opportunity.organisation_id == user.organisation_id)
    if organisation_id is not None:
        query = query.where(Opportunity.organisation_id == organisation_id)
    if region is not None:
        query = query.where(Opportunity.region == region)
    if kind is not None:
        query = query.where(Opportunity.kind == kind)
    if status is not None:
        query = query.where(Opportunity.status == status)
    if after is not None:
        query = query.where(col(Opportunity.id) > after)
    return list(session.exec(query.order_by(col(Opportunity.id)).limit(limit)))


def _plain(value: Any) -> Any:
    """Enum members and text maps as stored (JSON columns take plain str keys)."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return value.value if hasattr(value, "value") else value


def _audit(
    session: Session,
    action: str,
    row: Organisation | Opportunity,
    actor: User | None,
    fields: list[str],
) -> None:
    audit.record(
        session,
        action=action,
        entity_type=action.split(".")[0],
        entity_id=row.id,
        actor_user_id=actor.id if actor else None,
        actor_kind="user" if actor else "system",
        detail={"fields": fields},
    )


def find_opportunity(
    session: Session, organisation_id: int, kind: str, title: dict[str, str]
) -> Opportunity | None:
    """The organisation's opening of this kind with one of these titles (an import run
    twice updates instead of duplicating)."""
    for opportunity in session.exec(
        select(Opportunity).where(
            Opportunity.organisation_id == organisation_id, Opportunity.kind == kind
        )
    ):
        if any(opportunity.title.get(lang) == text for lang, text in title.items()):
            return opportunity
    return None
