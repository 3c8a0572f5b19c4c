"""The escalation queue in the panel: an officer sees their own, acknowledges and resolves
in place (htmx) or by plain form; partners and other officers find nothing; no CSRF, no
change."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.models import Escalation
from bot.pipeline.escalations import open_escalation
from tests.factories import make_enrolled
from tests.panel.conftest import SignIn, csrf_of


def _crisis(engine: Engine, settings, officer_id: int) -> int:  # type: ignore[no-untyped-def]
    person, _ = make_enrolled(engine, display_name="Aidos Seitkali", officer_id=officer_id)
    with session_scope(engine) as session:
        escalation = open_escalation(
            session,
            settings,
            person_id=person.id,
            reason="crisis",
            severity="critical",
            now=utcnow(),
        )
        session.flush()
        return escalation.id  # type: ignore[return-value]


def test_an_officer_acknowledges_and_resolves_in_place(
    client: TestClient, engine: Engine, settings, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    escalation_id = _crisis(engine, settings, officer)
    sign_in("officer@example.org")

    page = client.get("/panel/escalations")
    assert page.status_code == 200
    assert "Aidos Seitkali" in page.text and "critical" in page.text
    token = csrf_of(page.text)

    acked = client.post(
        f"/panel/escalations/{escalation_id}/acknowledge",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert acked.status_code == 200
    assert acked.text.lstrip().startswith(f'<li class="row sev-critical" id="esc-{escalation_id}"')
    assert "acknowledged" in acked.text

    resolved = client.post(
        f"/panel/escalations/{escalation_id}/resolve",
        data={"csrf_token": token, "outcome": "contacted_safe", "note": "Called, he is safe."},
        follow_redirects=False,
    )
    assert resolved.status_code == 303
    with Session(engine) as session:
        row = session.get(Escalation, escalation_id)
        assert row is not None and row.status == "resolved"
        assert row.outcome == "contacted_safe" and row.resolution_note == "Called, he is safe."

    again = client.post(
        f"/panel/escalations/{escalation_id}/acknowledge", data={"csrf_token": token}
    )
    assert again.status_code == 409


def test_without_the_csrf_token_nothing_changes(
    client: TestClient, engine: Engine, settings, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org")
    escalation_id = _crisis(engine, settings, officer)
    sign_in("officer@example.org")
    response = client.post(f"/panel/escalations/{escalation_id}/acknowledge", data={})
    assert response.status_code == 403
    with Session(engine) as session:
        assert session.get(Escalation, escalation_id).status == "open"  # type: ignore[union-attr]


def test_partners_and_other_officers_find_nothing(
    client: TestClient, engine: Engine, settings, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org")
    escalation_id = _crisis(engine, settings, officer)
    staff("other@example.org")
    sign_in("other@example.org")
    assert client.get(f"/panel/escalations/{escalation_id}").status_code == 404
    assert "Aidos" not in client.get("/panel/escalations").text
    client.cookies.clear()
    staff("ngo@example.org", "ngo")
    sign_in("ngo@example.org")
    assert client.get("/panel/escalations").status_code == 404
    assert client.get(f"/panel/escalations/{escalation_id}").status_code == 404
    assert client.get("/panel/escalations/99999999999999999999").status_code in (404, 422)


def test_the_filter_forms_any_and_a_made_up_value(
    client: TestClient, engine: Engine, settings, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    _crisis(engine, settings, officer)
    sign_in("officer@example.org")
    anything = client.get("/panel/escalations?status=&severity=")
    assert anything.status_code == 200 and "Aidos Seitkali" in anything.text
    critical = client.get("/panel/escalations?status=open&severity=critical")
    assert "Aidos Seitkali" in critical.text
    low = client.get("/panel/escalations?status=&severity=low")
    assert "Aidos Seitkali" not in low.text
    for url in ("/panel/escalations?severity=apocalyptic", "/panel/cases?after=-5"):
        made_up = client.get(url)
        assert made_up.status_code == 422, url
        assert made_up.headers["content-type"].startswith("text/html")
        assert "Проверьте адрес" in made_up.text  # no account is read for an error page
