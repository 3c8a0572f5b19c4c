"""The figures page: the report's numbers as SVG bars with the same numbers in tables,
small numbers hidden as in the API, the CSV, and nothing for partners."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.models import CheckIn, Escalation
from tests.factories import make_enrolled
from tests.panel.conftest import SignIn


def _seed(engine: Engine, officer: int) -> None:
    now = utcnow()
    people = [
        make_enrolled(engine, display_name=f"P{n}", officer_id=officer, region="Karaganda")[0]
        for n in range(8)
    ]
    with Session(engine) as session:
        for n, person in enumerate(people):
            session.add(
                CheckIn(
                    person_id=person.id,  # type: ignore[arg-type]
                    status="answered" if n < 6 else "missed",
                    due_at=now - timedelta(days=2),
                )
            )
        for person in people[:6]:
            session.add(
                Escalation(
                    person_id=person.id,  # type: ignore[arg-type]
                    reason="missed_checkins",
                    severity="medium",
                    ack_deadline=now + timedelta(hours=4),
                    created_at=now - timedelta(days=1),
                )
            )
        session.add(
            Escalation(
                person_id=people[0].id,  # type: ignore[arg-type]
                reason="crisis",
                severity="critical",
                ack_deadline=now + timedelta(hours=1),
                created_at=now - timedelta(days=1),
            )
        )
        session.commit()


def test_the_figures_draw_and_tabulate_the_same_numbers(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    _seed(engine, officer)
    sign_in("officer@example.org")
    page = client.get("/panel/figures?weeks=4")
    assert page.status_code == 200
    html = page.text
    assert html.count('<svg class="chart"') == 4
    assert "Your caseload." in html
    # Six of eight answered: no rate shown (the two missed are fewer than 5).
    assert re.search(r"<td>6</td><td>&lt;5</td>|<td>8</td><td>6</td><td>&lt;5</td>", html)
    # Escalations: six "missed check-ins" (shown, with a bar) and one crisis (hidden, no bar).
    reasons = html.split('id="h-reasons"')[1].split("</section>")[0]
    assert "Missed check-ins" in reasons and "Crisis words" in reasons
    assert reasons.count("<rect") == 1
    assert "<td>6</td>" in reasons and "<td>&lt;5</td>" in reasons
    for script in ("<script>", "style="):
        assert script not in html.split("</head>")[1]  # the CSP allows neither

    csv = client.get("/panel/figures.csv?weeks=4")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "escalations,missed_checkins/medium,count,6" in csv.text
    assert "escalations,crisis/critical,count,<5" in csv.text

    assert client.get("/panel/figures?weeks=5").status_code == 422


def test_partners_see_no_figures(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    staff("coordinator@ngo.example", role="ngo")
    sign_in("coordinator@ngo.example")
    assert client.get("/panel/figures").status_code == 404
    assert client.get("/panel/figures.csv").status_code == 404
