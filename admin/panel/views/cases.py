"""The caseload and one case: profile, consents, the conversation (polled for new
messages), escalations, referrals, notes, and the forms that act on the case (their
handlers are in case_actions.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from admin.lookup import record_refused_read
from admin.panel.query import optional_choice
from admin.panel.rendering import render
from admin.panel.security import PanelError, PanelUser, caseworker
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.core.settings import Settings
from bot.models import Appointment, ChannelIdentity, ConsentRecord, Person, User
from bot.models.enums import EscalationOutcome, PersonStatus, Service
from bot.services import case_status, case_work, conversation
from bot.services import escalations as escalation_service
from bot.services import persons as person_service
from bot.services.appointments import ACTIVE_STATUSES, APPOINTMENT_KINDS
from bot.services.notes import list_notes
from bot.services.organisations import list_organisations
from bot.services.persons import MAX_ID
from bot.services.referral_proposals import DEFAULT_FIELDS, SHAREABLE, referrals_of
from bot.services.referrals import shared_fields

router = APIRouter()

PAGE = 50


def case_or_404(
    session: Session, user: User, person_id: int, *, for_update: bool = False
) -> Person:
    """The person in `user`'s scope; out of scope and missing alike are a 404 page, and the
    refused read is audited as the API audits it (a partner's scope holds no one)."""
    person = person_service.get_person_for(session, user, person_id, for_update=for_update)
    if person is None:
        record_refused_read(session, user, person_id)
        raise PanelError(404, "not_found")
    return person


@router.get("/cases")
def caseload(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    status: Annotated[str, Query(max_length=20)] = "",
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    caseworker(user)
    chosen = optional_choice(status, PersonStatus)
    page = person_service.list_caseload(session, user, limit=PAGE, after=after, status=chosen)
    audit.record(
        session,
        action="person.list",
        entity_type="person",
        actor_user_id=user.id,
        detail={"person_ids": [person.id for person in page.items]},
    )
    session.commit()
    return render(
        request,
        settings,
        "cases.html",
        {
            "people": page.items,
            "next_after": page.next_after,
            "status": chosen.value if chosen else "",
            "statuses": [s.value for s in PersonStatus],
        },
        user=user,
        active="cases",
    )


def case_context(
    session: Session, settings: Settings, user: User, person: Person
) -> dict[str, Any]:
    """Everything the case page shows, each part one bounded query."""
    assert person.id is not None
    officer = session.get(User, person.officer_id) if person.officer_id else None
    identities = session.exec(
        select(ChannelIdentity).where(ChannelIdentity.person_id == person.id)
    ).all()
    consents = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.person_id == person.id)
        .order_by(col(ConsentRecord.created_at).desc())
        .limit(20)
    ).all()
    appointments = session.exec(
        select(Appointment)
        .where(
            Appointment.person_id == person.id,
            col(Appointment.status).in_(ACTIVE_STATUSES),
            col(Appointment.starts_at) >= utcnow(),
        )
        .order_by(col(Appointment.starts_at))
        .limit(10)
    ).all()
    referrals = referrals_of(session, person.id, limit=20)
    organisations = {
        o.id: o for o in list_organisations(session, after=None, limit=500, active=None)
    }
    bubbles = conversation.recent_messages(session, person.id)
    escalations = escalation_service.list_queue(
        session, user, filters=escalation_service.Filters(person_id=person.id), limit=10
    ).items
    return {
        "person": person,
        "officer": officer,
        "identities": identities,
        "consents": consents,
        "appointments": appointments,
        "referrals": [
            (r, organisations.get(r.organisation_id), shared_fields(r)) for r in referrals
        ],
        "organisations": [o for o in organisations.values() if o.is_active],
        "bubbles": bubbles,
        "last_id": bubbles[-1].message.id if bubbles else 0,
        "escalations": escalations,
        "notes": list_notes(session, person.id, limit=20).items,
        "actions": case_status.allowed_actions(PersonStatus(person.status)),
        "transfer_to": case_status.transfer_targets(session, user),
        "kinds": list(APPOINTMENT_KINDS),
        "services": [s.value for s in Service],
        "shareable": SHAREABLE,
        "default_fields": DEFAULT_FIELDS,
        "now": utcnow(),
        "outcomes": [o.value for o in EscalationOutcome],
        "problem": None,
    }


def render_case(
    request: Request,
    session: Session,
    settings: Settings,
    user: User,
    person: Person,
    *,
    problem: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = case_context(session, settings, user, person)
    context["problem"] = problem
    return render(
        request, settings, "case.html", context, user=user, active="cases", status_code=status_code
    )


@router.get("/cases/{person_id}")
def case(
    person_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    person = case_or_404(session, user, person_id)
    case_work.record_case_read(session, person, user)
    session.commit()
    return render_case(request, session, settings, user, person)


@router.get("/cases/{person_id}/messages")
def new_messages(
    person_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    """The poll: bubbles newer than `after` appended to the chat, and the poller itself
    replaced so the next poll asks from the newest one."""
    person = case_or_404(session, user, person_id)
    assert person.id is not None
    bubbles = conversation.messages_after(session, person.id, after)
    if bubbles:
        audit.record(
            session,
            action="person.messages.read",
            entity_type="person",
            entity_id=person.id,
            person_id=person.id,
            actor_user_id=user.id,
            detail={"after": after, "items": len(bubbles)},
        )
        session.commit()
    return render(
        request,
        settings,
        "_poll.html",
        {
            "person": person,
            "bubbles": bubbles,
            "last_id": bubbles[-1].message.id if bubbles else after,
        },
        user=user,
    )
