"""What an officer does on a case page: write to the person, add a note, schedule a
check-in or an appointment, refer to a partner, pause / resume / close / reopen, transfer.

Each form is checked by the API's own schema and carried out by the same service, with the
same audit event, as the API route. A refused form comes back on the case page with what
to fix (422, or 409 when the case does not allow it); a done one redirects to the case
(303), or for htmx answers with a fresh form and asks the chat to poll at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from admin.appointments.schemas import AppointmentCreate
from admin.panel.forms import FormProblem, checked, local_time, refusals
from admin.panel.rendering import render
from admin.panel.security import CsrfChecked, PanelError, PanelUser
from admin.panel.views.cases import case_or_404, render_case
from admin.persons.case import TransferBody
from admin.persons.messages import OfficerMessageCreate
from admin.persons.notes import NoteCreate
from admin.persons.referrals import ReferralProposal
from admin.persons.schemas import CheckInSchedule
from bot.core.clock import utcnow
from bot.core.deps import RuntimeDep, SessionDep, SettingsDep
from bot.models import Person, User
from bot.services import case_status, case_work
from bot.services.erasure import ensure_not_erased
from bot.services.referral_proposals import propose_referral

router = APIRouter()

FORM_TEXT = 2000  # no form field the panel sends is longer


def _act(
    request: Request,
    session: Session,
    settings: SettingsDep,
    user: User,
    person_id: int,
    form: str,
    work: Callable[[Person], None],
    *,
    writable: bool = True,
) -> Response:
    person = case_or_404(session, user, person_id, for_update=True)
    try:
        with refusals(form):
            if writable:
                ensure_not_erased(person)
            work(person)
    except FormProblem as problem:
        session.rollback()
        person = case_or_404(session, user, person_id)
        return render_case(
            request,
            session,
            settings,
            user,
            person,
            problem={"form": problem.form, "message": problem.message},
            status_code=problem.status_code,
        )
    session.commit()
    if request.headers.get("HX-Request") == "true" and form == "reply":
        response = render(
            request, settings, "_reply_form.html", {"person": person, "problem": None}, user=user
        )
        response.headers["HX-Trigger"] = "jolserik-sent"
        return response
    return RedirectResponse(f"/panel/cases/{person_id}#{form}", status_code=303)


Text = Annotated[str, Form(max_length=FORM_TEXT)]


@router.post("/cases/{person_id}/messages", dependencies=[CsrfChecked])
def reply(
    person_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    text: Text = "",
) -> Response:
    def work(person: Person) -> None:
        body = checked(OfficerMessageCreate, "reply", {"text": text})
        case_work.write_to_person(session, settings, person, user, body.text, utcnow())

    response = _act(request, session, settings, user, person_id, "reply", work, writable=False)
    runtime.queued()
    return response


@router.post("/cases/{person_id}/notes", dependencies=[CsrfChecked])
def note(
    person_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    body: Text = "",
) -> Response:
    def work(person: Person) -> None:
        valid = checked(NoteCreate, "notes", {"body": body})
        case_work.note_on_case(session, person, user, valid.body, utcnow())

    return _act(request, session, settings, user, person_id, "notes", work)


@router.post("/cases/{person_id}/checkins", dependencies=[CsrfChecked])
def checkin(
    person_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    due_at: Text = "",
) -> Response:
    def work(person: Person) -> None:
        when = local_time(due_at, user)
        valid = checked(CheckInSchedule, "schedule", {"due_at": when})
        case_work.schedule_checkin(session, settings, person, user, valid.due_at or utcnow())

    return _act(request, session, settings, user, person_id, "schedule", work)


@router.post("/cases/{person_id}/appointments", dependencies=[CsrfChecked])
def appointment(
    person_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    starts_at: Text = "",
    kind: Text = "",
    place: Text = "",
) -> Response:
    def work(person: Person) -> None:
        valid = checked(
            AppointmentCreate,
            "schedule",
            {"starts_at": local_time(starts_at, user), "kind": kind, "place": place},
        )
        case_work.book_appointment(
            session,
            settings,
            person,
            user,
            starts_at=valid.starts_at,
            kind=valid.kind,
            place=valid.place,
            now=utcnow(),
        )

    response = _act(request, session, settings, user, person_id, "schedule", work)
    runtime.queued()
    return response


@router.post("/cases/{person_id}/referrals", dependencies=[CsrfChecked])
async def refer(
    person_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> Response:
    # Several checkboxes share the name "fields", which a typed Form() reads as one value.
    form = await request.form()
    values = {
        "organisation_id": form.get("organisation_id") or None,
        "kind": form.get("kind") or None,
        "note": (form.get("note") or None),
        "fields": [f for f in form.getlist("fields") if isinstance(f, str)][:10],
    }

    def work(person: Person) -> None:
        valid = checked(ReferralProposal, "refer", values)
        propose_referral(
            session,
            settings,
            person,
            organisation_id=valid.organisation_id,
            kind=valid.kind.value,
            opportunity_id=None,
            note=valid.note,
            fields=list(valid.fields),
            actor=user,
            now=utcnow(),
        )

    response = _act(request, session, settings, user, person_id, "refer", work)
    runtime.queued()
    return response


@router.post("/cases/{person_id}/status/{action}", dependencies=[CsrfChecked])
def change_status(
    person_id: int,
    action: str,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    if action not in case_status.ACTIONS:
        raise PanelError(404, "not_found")

    def work(person: Person) -> None:
        case_work.move_case(session, person, user, action, utcnow())

    return _act(request, session, settings, user, person_id, "case", work)


@router.post("/cases/{person_id}/transfer", dependencies=[CsrfChecked])
def transfer(
    person_id: int,
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    officer_id: Text = "",
) -> Response:
    def work(person: Person) -> None:
        valid = checked(TransferBody, "case", {"officer_id": officer_id or None})
        case_work.transfer_case(session, person, user, valid.officer_id)

    return _act(request, session, settings, user, person_id, "case", work)
