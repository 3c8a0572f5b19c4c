"""GET /today: five sections, scoped like the caseload, capped with a total."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.models import Appointment, Escalation, Organisation, Referral
from bot.models.enums import ReferralStatus
from tests.admin.helpers import audit_actions
from tests.factories import make_enrolled


def test_each_section_lists_what_needs_doing(client, officer, engine, make_user):
    now = utcnow()
    quiet, _ = make_enrolled(
        engine, officer_id=officer["id"], last_inbound_at=now - timedelta(days=20)
    )
    missed, _ = make_enrolled(
        engine, officer_id=officer["id"], missed_checkins_in_row=2, last_inbound_at=now
    )
    fine, _ = make_enrolled(
        engine, officer_id=officer["id"], last_inbound_at=now - timedelta(days=1)
    )
    other_officer = make_user("officer.b@example.org")
    stranger, _ = make_enrolled(
        engine,
        officer_id=other_officer,
        missed_checkins_in_row=5,
        last_inbound_at=now - timedelta(days=30),
    )
    with session_scope(engine) as session:
        org = Organisation(name="Shelter", kind="housing")
        session.add(org)
        session.flush()
        for person_id, severity, rank, minutes in (
            (fine.id, "medium", 2, 600),
            (missed.id, "critical", 0, -5),
            (stranger.id, "critical", 0, 10),
        ):
            session.add(
                Escalation(
                    person_id=person_id,
                    reason="x",
                    severity=severity,
                    severity_rank=rank,
                    ack_deadline=now + timedelta(minutes=minutes),
                )
            )
        session.add(Escalation(person_id=fine.id, reason="old", severity="low", is_resolved=True))
        session.add(
            Appointment(person_id=fine.id, starts_at=now + timedelta(hours=20), kind="meeting")
        )
        session.add(
            Appointment(person_id=fine.id, starts_at=now + timedelta(days=5), kind="meeting")
        )
        session.add(
            Appointment(person_id=stranger.id, starts_at=now + timedelta(hours=1), kind="meeting")
        )
        session.add(
            Referral(
                person_id=fine.id,
                organisation_id=org.id,
                kind="housing",
                status=ReferralStatus.sent,
                created_at=now - timedelta(days=4),
            )
        )
        session.add(
            Referral(
                person_id=fine.id,
                organisation_id=org.id,
                kind="housing",
                status=ReferralStatus.sent,
                created_at=now - timedelta(days=1),
            )
        )

    response = client.get("/api/v1/today", headers=officer["headers"])

    assert response.status_code == 200, response.text
    body = response.json()
    escalations = body["escalations"]["items"]
    assert [e["person_id"] for e in escalations] == [missed.id, fine.id]
    assert escalations[0]["severity"] == "critical" and escalations[0]["seconds_left"] < 0
    assert 590 * 60 < escalations[1]["seconds_left"] <= 600 * 60
    assert body["escalations"]["total"] == 2
    assert [p["person_id"] for p in body["missed_checkins"]["items"]] == [missed.id]
    assert [a["person_id"] for a in body["appointments"]["items"]] == [fine.id]
    assert [r["person_id"] for r in body["waiting_referrals"]["items"]] == [fine.id]
    assert [p["person_id"] for p in body["not_heard_from"]["items"]] == [quiet.id]
    assert ("today.read", officer["id"]) in audit_actions(engine)


def test_sections_are_capped_with_the_total(client, officer, engine):
    for _ in range(53):
        make_enrolled(
            engine, officer_id=officer["id"], missed_checkins_in_row=1, last_inbound_at=utcnow()
        )
    body = client.get("/api/v1/today", headers=officer["headers"]).json()
    assert len(body["missed_checkins"]["items"]) == 50
    assert body["missed_checkins"]["total"] == 53
    assert body["escalations"] == {"items": [], "total": 0}


def test_only_caseworkers(client, make_user, login):
    make_user("ngo@example.org", role="ngo")
    assert client.get("/api/v1/today", headers=login("ngo@example.org")).status_code == 403
    assert client.get("/api/v1/today").status_code == 401
