"""Every panel page in Chromium: axe-core finds no WCAG 2.1 A/AA violation, nothing scrolls
sideways at 360 px and every control is at least 44 px tall; a screenshot of each page at
360 and 1280 px goes to artifacts/panel/. And a partner, in the browser, sees and accepts
only their organisation's referral and gets the API's 404 for a case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.models import CheckIn, Escalation, Message, Opportunity, Organisation, Referral
from bot.models.enums import Direction
from bot.services.users import create_user
from tests.factories import make_enrolled
from tests.panel.browser.conftest import (
    LiveServer,
    accessibility_violations,
    layout_problems,
    screenshot,
    sign_in,
)

PASSWORD = "correct horse battery staple"


def _world(engine: Engine) -> dict[str, int]:
    now = utcnow()
    with Session(engine) as session:
        ours = Organisation(name="Жол Ашық", services=["employment", "housing"])
        theirs = Organisation(name="Другой фонд", services=["employment"])
        session.add_all([ours, theirs])
        session.commit()
        ids = {"ours": ours.id, "theirs": theirs.id}
    with session_scope(engine) as session:
        for email, role, org in (
            ("officer@example.org", "officer", None),
            ("admin@example.org", "admin", None),
            ("coordinator@zholashyk.kz", "ngo", ids["ours"]),
        ):
            user = create_user(
                session, email=email, password=PASSWORD, role=role, organisation_id=org
            )
            user.language = "en"
            user.full_name = email.split("@")[0].title()
            session.flush()
            ids[role] = user.id  # type: ignore[assignment]
    person, _ = make_enrolled(
        engine,
        display_name="Aidos Seitkali",
        officer_id=ids["officer"],
        region="Karaganda",
        phone_e164="+77011234567",
    )
    ids["person"] = person.id  # type: ignore[assignment]
    with Session(engine) as session:
        for n, (direction, body) in enumerate(
            [
                (Direction.outbound, "Как вы сегодня? Ответьте 1–5"),
                (Direction.inbound, "норм, 4"),
                (Direction.outbound, "Спасибо! До завтра."),
            ]
        ):
            session.add(
                Message(
                    direction=direction,
                    channel="simulator",
                    address=f"addr-{person.id}",
                    person_id=person.id,
                    body=body,
                    status="received" if direction == Direction.inbound else "delivered",
                    created_at=now - timedelta(minutes=10 - n),
                )
            )
        session.add(CheckIn(person_id=person.id, status="answered", due_at=now - timedelta(days=1)))  # type: ignore[arg-type]
        escalation = Escalation(
            person_id=person.id,  # type: ignore[arg-type]
            reason="low_mood",
            severity="high",
            ack_deadline=now + timedelta(hours=4),
            created_at=now,
        )
        session.add(escalation)
        for org, note in ((ids["ours"], "ищет работу сварщиком"), (ids["theirs"], "чужое")):
            referral = Referral(
                person_id=person.id,  # type: ignore[arg-type]
                organisation_id=org,
                kind="employment",
                status="sent",
                note=note,
                shared_fields={"fields": ["first_name", "need"], "contact_channel": "simulator"},
                sent_at=now,
                created_at=now,
                updated_at=now,
            )
            session.add(referral)
            session.flush()
            ids[f"referral_{org}"] = referral.id  # type: ignore[assignment]
        session.add(
            Opportunity(
                organisation_id=ids["ours"],
                kind="employment",
                region="Karaganda",
                title={"ru": "Сварщик", "en": "Welder"},
                capacity=3,
            )
        )
        session.commit()
        ids["escalation"] = escalation.id  # type: ignore[assignment]
    return ids


def _check(page: Any, name: str) -> list[str]:
    found = [
        f"{name}: {v['id']} ({v['impact']}) at {v['nodes'][:3]}"
        for v in accessibility_violations(page)
    ]
    page.set_viewport_size({"width": 360, "height": 800})
    found += [f"{name} at 360 px: {p}" for p in layout_problems(page)]
    screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})
    return found


def test_every_page_is_accessible_fits_a_phone_and_is_photographed(
    page: Any, live: LiveServer, engine: Engine
) -> None:
    ids = _world(engine)
    problems: list[str] = []
    page.goto(f"{live.url}/panel/login?lang=en")
    problems += _check(page, "login")

    sign_in(page, live, "officer@example.org", PASSWORD)
    for name, path in (
        ("today", "/panel/"),
        ("cases", "/panel/cases"),
        ("case", f"/panel/cases/{ids['person']}"),
        ("escalations", "/panel/escalations"),
        ("escalation", f"/panel/escalations/{ids['escalation']}"),
        ("referrals-officer", "/panel/referrals"),
        ("figures", "/panel/figures"),
        ("not-found", "/panel/cases/999999"),
    ):
        page.goto(f"{live.url}{path}")
        problems += _check(page, name)

    page.context.clear_cookies()
    sign_in(page, live, "coordinator@zholashyk.kz", PASSWORD)
    for name, path in (
        ("referrals-partner", "/panel/referrals"),
        ("opportunities", "/panel/opportunities"),
        ("referral", f"/panel/referrals/{ids['referral_' + str(ids['ours'])]}"),
    ):
        page.goto(f"{live.url}{path}")
        problems += _check(page, name)

    page.context.clear_cookies()
    sign_in(page, live, "admin@example.org", PASSWORD)
    for name, path in (
        ("admin", "/panel/admin"),
        ("admin-staff", "/panel/admin/staff"),
        ("admin-organisations", "/panel/admin/organisations"),
        ("admin-audit", "/panel/admin/audit"),
        ("me", "/panel/me"),
    ):
        page.goto(f"{live.url}{path}")
        problems += _check(page, name)
    assert problems == []


def test_a_partner_accepts_only_their_own_referral(
    page: Any, live: LiveServer, engine: Engine
) -> None:
    ids = _world(engine)
    sign_in(page, live, "coordinator@zholashyk.kz", PASSWORD)
    page.goto(f"{live.url}/panel/referrals")
    mine = page.locator(f"#r-{ids['referral_' + str(ids['ours'])]}")
    assert "ищет работу сварщиком" in mine.inner_text()
    assert "чужое" not in page.content() and "Seitkali" not in page.content()
    mine.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    accepted = page.locator("#col-accepted").locator("xpath=..")
    assert "ищет работу сварщиком" in accepted.inner_text()

    # Another organisation's referral and the person's case, opened by address: 404.
    other = ids["referral_" + str(ids["theirs"])]
    opened = page.goto(f"{live.url}/panel/referrals/{other}")
    assert opened is not None and opened.status == 404
    assert "чужое" not in page.content()
    response = page.goto(f"{live.url}/panel/cases/{ids['person']}")
    assert response is not None and response.status == 404
    assert "Aidos" not in page.content()
    with Session(engine) as session:
        assert session.get(Referral, other).status == "sent"  # type: ignore[union-attr]
