"""What partners offer a person, as the journeys read it: active organisations and the
openings still open, not full and not past their closing time, those in the person's
region first, every text in the person's language or left out.

A deployment has hundreds of partners and openings, not millions: the rows are read with
two bounded queries and ranked here. Each process keeps what it built, per region,
language and limit, as long as the directory's version (bot/models/directory_version.py)
is the one it was built at, no opening it read has reached its closing time, and
MAX_AGE has not passed (a bound for a change made outside the application, by hand in
the database); a batch of the processor reads the version, one row, instead of the rows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from bot.models import DirectoryVersion, Opportunity, Organisation, Referral
from bot.models.directory_version import ROW_ID
from bot.models.enums import OpportunityStatus, ReferralStatus
from flows.types import Directory, Language, OpportunityInfo, OrganisationInfo

# Referrals holding a place of an opening with a capacity.
HOLDS_A_PLACE = (ReferralStatus.accepted, ReferralStatus.in_progress, ReferralStatus.completed)
# Read at most this many rows of each: enough for any real directory, bounded for a step.
MAX_ROWS = 2000
# The longest a process shows a directory it built without reading it again.
MAX_AGE = timedelta(minutes=5)
_SESSION_KEY = "directory"
_VERSION_KEY = "directory_version"


def serves(organisation: Organisation, region: str | None) -> bool:
    return not organisation.regions or region is None or region in organisation.regions


def localized(texts: object, language: Language) -> str:
    """The text in `language`, or "" (never another language's text)."""
    if not isinstance(texts, dict):
        return ""
    value = texts.get(language)
    return " ".join(value.split()) if isinstance(value, str) else ""


def places_taken(session: Session, opportunity_ids: list[int]) -> dict[int, int]:
    if not opportunity_ids:
        return {}
    rows = session.exec(
        select(Referral.opportunity_id, func.count())
        .where(
            col(Referral.opportunity_id).in_(opportunity_ids),
            col(Referral.status).in_(HOLDS_A_PLACE),
        )
        .group_by(col(Referral.opportunity_id))
    ).all()
    return {opp_id: count for opp_id, count in rows if opp_id is not None}


def is_offered(opportunity: Opportunity, taken: int, now: datetime) -> bool:
    """Open, not past its closing time and not full: only then may a person see it."""
    if opportunity.status != OpportunityStatus.open:
        return False
    if opportunity.closes_at is not None and opportunity.closes_at <= now:
        return False
    return opportunity.capacity is None or taken < opportunity.capacity


@dataclass(frozen=True)
class _Built:
    version: int | None
    valid_until: datetime
    directory: Directory


# Per engine (a process may hold several, and a test run one per test): what was built.
_BUILT: WeakKeyDictionary[Engine, dict[tuple[str | None, str, int], _Built]] = WeakKeyDictionary()
_BUILT_LOCK = threading.Lock()


def directory_for(
    session: Session, region: str | None, language: Language, limit: int, now: datetime
) -> Directory:
    """The directory as `load_directory` reads it, from this process's copy while the
    directory has not changed (see the module's text); within one session, the same copy
    throughout (the processor answers a batch of people in one transaction)."""
    in_session = session.info.setdefault(_SESSION_KEY, {})
    key = (region, language, limit)
    if key in in_session:
        return in_session[key]
    version = _version(session)
    with _BUILT_LOCK:
        kept = _BUILT.setdefault(session.get_bind().engine, {})
        built = kept.get(key)
    if built is None or built.version != version or now >= built.valid_until:
        directory, next_closing = _load(session, region, language, limit, now)
        valid_until = min(now + MAX_AGE, next_closing or now + MAX_AGE)
        built = _Built(version, valid_until, directory)
        if version is not None:  # without the version row nothing can say it is current
            with _BUILT_LOCK:
                kept[key] = built
    in_session[key] = built.directory
    return built.directory


def _version(session: Session) -> int | None:
    """The directory's version as this session sees it, read once per session. Read
    before the rows: a change committed in between makes the copy newer than its
    number, never older (the next batch builds it again)."""
    if _VERSION_KEY not in session.info:
        session.info[_VERSION_KEY] = session.exec(
            select(DirectoryVersion.version).where(DirectoryVersion.id == ROW_ID)
        ).first()
    return session.info[_VERSION_KEY]


def load_directory(
    session: Session, region: str | None, language: Language, limit: int, now: datetime
) -> Directory:
    """What the directory shows a person of `region` writing in `language`, read now."""
    return _load(session, region, language, limit, now)[0]


def _load(
    session: Session, region: str | None, language: Language, limit: int, now: datetime
) -> tuple[Directory, datetime | None]:
    """The directory, and the first closing time of an opening it read (when it may
    change with no write at all)."""
    organisations = session.exec(
        select(Organisation)
        .where(col(Organisation.is_active).is_(True))
        .order_by(col(Organisation.id))
        .limit(MAX_ROWS)
    ).all()
    by_id = {org.id: org for org in organisations}
    # Those serving the person's region (or every region) first, then those speaking
    # the person's language; a partner elsewhere is still listed, marked as such.
    ranked = sorted(
        organisations,
        key=lambda org: (
            not serves(org, region),
            bool(org.languages) and language not in org.languages,
        ),
    )
    per_service: dict[str, int] = {}
    chosen: list[OrganisationInfo] = []
    for org in ranked:
        wanted = [s for s in org.services if per_service.get(s, 0) < limit]
        if not wanted:
            continue
        for service in wanted:
            per_service[service] = per_service.get(service, 0) + 1
        chosen.append(
            OrganisationInfo(
                id=org.id,  # type: ignore[arg-type]
                name=org.name,
                services=tuple(org.services),
                contact_phone=org.contact_phone,
                in_region=serves(org, region),
                address=org.address,
                opening_hours=org.opening_hours,
            )
        )
    opportunities = session.exec(
        select(Opportunity)
        .where(
            Opportunity.status == OpportunityStatus.open,
            col(Opportunity.organisation_id).in_(list(by_id)),
            or_(col(Opportunity.closes_at).is_(None), col(Opportunity.closes_at) > now),
        )
        .order_by(col(Opportunity.id))
        .limit(MAX_ROWS)
    ).all()
    taken = places_taken(
        session,
        [opp.id for opp in opportunities if opp.capacity is not None],  # type: ignore[misc]
    )
    offered = [
        opp
        for opp in opportunities
        if is_offered(opp, taken.get(opp.id, 0), now) and localized(opp.title, language)  # type: ignore[arg-type]
    ]
    offered.sort(key=lambda opp: region is not None and opp.region not in (None, region))
    next_closing = min((opp.closes_at for opp in opportunities if opp.closes_at), default=None)
    directory = Directory(
        organisations=tuple(chosen),
        opportunities=tuple(
            OpportunityInfo(
                id=opp.id,  # type: ignore[arg-type]
                organisation_id=opp.organisation_id,
                organisation_name=by_id[opp.organisation_id].name,
                title=localized(opp.title, language),
                kind=opp.kind,
                field=opp.field,
                region=opp.region,
                description=localized(opp.description, language),
                how_to_apply=localized(opp.how_to_apply, language),
                elsewhere=region is not None and opp.region not in (None, region),
            )
            for opp in offered[:limit]
        ),
    )
    return directory, next_closing
