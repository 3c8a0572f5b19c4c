"""Records that flow effects create or change: referrals, appointment answers, ratings,
pausing. Each only adds to the session; bot/effects.py calls them in its transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.core import audit
from bot.models import Appointment, ConsentRecord, Organisation, Person, Referral
from bot.models.enums import AppointmentStatus, PersonStatus, ReferralStatus
from flows.types import CreateReferral, RespondToAppointment

log = logging.getLogger(__name__)

REFERRAL_CONSENT_VERSION = "referral-2026-11-v1"
SHAREABLE_FIELDS = frozenset({"name", "phone", "language", "region"})


def create_referral(
    session: Session, person: Person, effect: CreateReferral, channel: str, now: datetime
) -> Referral | None:
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
        status=ReferralStatus.proposed,
        shared_fields={"fields": shared},
        consent_at=now,
        note=effect.note[:1000] or None,
        created_at=now,
        updated_at=now,
    )
    session.add(referral)
    session.flush()
    # The person's agreement to share these fields with this organisation, kept apart
    # from the service consent so it can be shown and withdrawn per referral.
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
    audit.record(
        session,
        action="referral.create",
        entity_type="referral",
        entity_id=referral.id,
        person_id=person.id,
        actor_kind="person",
        detail={"organisation_id": organisation.id, "kind": effect.kind, "shared": shared},
    )
    return referral


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
