"""Records that flow effects create or change: referrals, appointment answers, ratings,
pausing. Each only adds to the session; bot/effects.py calls them in its transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.core import audit
from bot.core.settings import Settings
from bot.models import Appointment, ConsentRecord, Organisation, Person, Referral
from bot.models.enums import AppointmentStatus, PersonStatus, ReferralStatus
from bot.pipeline.escalations import open_escalation
from bot.services.partner_notices import CREATED, notify_partner
from bot.services.referral_lifecycle import DECLINED_REASON, move_referral, record_creation
from flows.types import CreateReferral, RespondToAppointment

log = logging.getLogger(__name__)

REFERRAL_CONSENT_VERSION = "referral-2026-12-v2"
PERSON_SAID_NO = "the person did not agree to share their details"
ORGANISATION_GONE = "the organisation stopped being an active partner before the person agreed"
# What a person may agree to share with a partner ("name" is the older word for first name).
SHAREABLE_FIELDS = frozenset(
    {"first_name", "language", "need", "contact_channel", "phone", "region", "name"}
)


def create_referral(
    session: Session,
    settings: Settings,
    person: Person,
    effect: CreateReferral,
    channel: str,
    now: datetime,
) -> Referral | None:
    """The person asked for this partner in the chat and said yes to sharing: the referral
    goes to the partner at once (sent), and the partner is told (e-mail, webhook)."""
    organisation = session.get(Organisation, effect.organisation_id)
    if organisation is None or not organisation.is_active:
        log.warning(
            "referral to an unknown or inactive organisation",
            extra={"organisation_id": effect.organisation_id},
        )
        return None
    shared = sorted(set(effect.shared_fields) & SHAREABLE_FIELDS)
    referral = Referral(
        person_id=person.id,  # type: ignore[arg-type]
        organisation_id=organisation.id,  # type: ignore[arg-type]
        opportunity_id=effect.opportunity_id,
        kind=effect.kind,
        status=ReferralStatus.sent,
        shared_fields={"fields": shared, "contact_channel": channel},
        consent_at=now,
        note=effect.note[:1000] or None,
        created_at=now,
        updated_at=now,
    )
    session.add(referral)
    session.flush()
    _record_consent(session, person, referral, channel, now)
    audit.record(
        session,
        action="referral.create",
        entity_type="referral",
        entity_id=referral.id,
        person_id=person.id,
        actor_kind="person",
        detail={"organisation_id": organisation.id, "kind": effect.kind, "shared": shared},
    )
    record_creation(session, referral, actor_kind="person", actor_user_id=None, now=now)
    notify_partner(session, settings, referral, CREATED, now=now)
    return referral


def answer_referral_offer(
    session: Session,
    settings: Settings,
    person: Person,
    referral_id: int,
    agreed: bool,
    channel: str,
    now: datetime,
) -> None:
    """The person's answer to an officer's proposed referral: yes sends it to the partner
    (who is told), no cancels it. An answer to anything else changes nothing."""
    referral = session.get(Referral, referral_id)
    if referral is None or referral.person_id != person.id:
        log.warning("answer to a referral of someone else", extra={"person_id": person.id})
        return
    if referral.status != ReferralStatus.proposed:
        return  # cancelled by the officer meanwhile, or answered twice
    organisation = session.get(Organisation, referral.organisation_id)
    if agreed and (organisation is None or not organisation.is_active):
        # Their yes cannot reach a partner that left; the officer finds another one.
        move_referral(
            session,
            referral,
            ReferralStatus.cancelled,
            actor_kind="system",
            actor_user_id=None,
            reason=ORGANISATION_GONE,
            now=now,
        )
        open_escalation(
            session,
            settings,
            person_id=person.id,  # type: ignore[arg-type]
            reason=DECLINED_REASON,
            severity="low",
            now=now,
            detail=f"referral {referral.id} ({referral.kind}): the person agreed, but the "
            "organisation is no longer active; consider another partner",
        )
        return
    if agreed:
        move_referral(
            session,
            referral,
            ReferralStatus.sent,
            actor_kind="person",
            actor_user_id=None,
            reason=None,
            now=now,
        )
        referral.consent_at = now
        # The way they answered is the way they agreed to be reached.
        referral.shared_fields = {**(referral.shared_fields or {}), "contact_channel": channel}
        _record_consent(session, person, referral, channel, now)
        notify_partner(session, settings, referral, CREATED, now=now)
    else:
        move_referral(
            session,
            referral,
            ReferralStatus.cancelled,
            actor_kind="person",
            actor_user_id=None,
            reason=PERSON_SAID_NO,
            now=now,
        )


def _record_consent(
    session: Session, person: Person, referral: Referral, channel: str, now: datetime
) -> None:
    """The person's agreement to share these fields with this organisation, kept apart
    from the service consent so it can be shown and withdrawn per referral."""
    session.add(
        ConsentRecord(
            person_id=person.id,  # type: ignore[arg-type]
            scope=f"referral:{referral.id}",
            granted=True,
            text_version=REFERRAL_CONSENT_VERSION,
            channel=channel,
            created_at=now,
        )
    )


def respond_to_appointment(
    session: Session, person: Person, effect: RespondToAppointment, now: datetime
) -> None:
    appointment = session.get(Appointment, effect.appointment_id)
    if appointment is None or appointment.person_id != person.id:
        log.warning("answer to an appointment of someone else", extra={"person_id": person.id})
        return
    if appointment.status in (AppointmentStatus.cancelled, AppointmentStatus.attended):
        return
    appointment.status = (
        AppointmentStatus.confirmed if effect.confirmed else AppointmentStatus.cant_make_it
    )
    if effect.reason is not None:
        appointment.response_reason = effect.reason[:500]
    session.add(appointment)


def rate_referral(
    session: Session, person: Person, referral_id: int, rating: int, now: datetime
) -> None:
    referral = session.get(Referral, referral_id)
    if referral is None or referral.person_id != person.id or not 1 <= rating <= 5:
        log.warning("rating for a referral of someone else", extra={"person_id": person.id})
        return
    referral.helpful_rating = rating
    referral.updated_at = now
    session.add(referral)


def set_paused(person: Person, paused: bool) -> None:
    if paused and person.status == PersonStatus.active:
        person.status = PersonStatus.paused
    elif not paused and person.status == PersonStatus.paused:
        person.status = PersonStatus.active
