"""GET /today: each section holds what it should, in scope, ordered, capped with a total,
with days read in the officer's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.models import Appointment, Escalation, Organisation, Referral, User
from bot.models.enums import EscalationStatus, ReferralStatus
from bot.services.today import read_today
from tests.factories import make_enrolled

URL = "/api/v1/today"


def _escalation(engine, person_id, severity, rank, deadline_in, status=EscalationStatus.open):
    with Session(engine) as session:
        now = utcnow()
        row = Escalation(
            person_id=person_id,
            reason="low_mood",
            severity=severity,
            severity_rank=rank,
            status=status,
            is_resolved=status == EscalationStatus.resolved,
            ack_deadline=now + deadline_in,
        )
        session.add(row)
        session.commit()
        return row.id


def test_each_section_in_scope_and_order(client, engine, officer, make_user):
    now = utcnow()
    other = make_user("other@example.org")
    mine, _ = make_enrolled(
        engine, officer_id=officer["id"], display_name="Mine", last_inbound_at=now
    )
    _quiet, _ = make_enrolled(
        engine,
        officer_id=officer["id"],
        display_name="Quiet",
        last_inbound_at=now - timedelta(days=20),
    )
    _missed, _ = make_enrolled(
        engine,
        officer_id=officer["id"],
        display_name="Missed",
        missed_checkins_in_row=2,
        last_inbound_at=now,
    )
    theirs, _ = make_enrolled(
        engine,
        officer_id=other,
        display_name="Theirs",
        missed_checkins_in_row=3,
        last_inbound_at=now - timedelta(days=30),
    )

    low = _escalation(engine, mine.id, "low", 3, timedelta(hours=70))
    crit = _escalation(engine, mine.id, "critical", 0, timedelta(minutes=-10))
    _escalation(engine, mine.id, "high", 1, timedelta(hours=1), EscalationStatus.resolved)
    _escalation(engine, theirs.id, "critical", 0, timedelta(minutes=5))
    with Session(engine) as session:
        org = Organisation(name="Partner", services=["housing"])
        session.add(org)
        session.flush()
        session.add(
            Referral(
                person_id=mine.id,
                organisation_id=org.id,
                kind="housing",
                status=ReferralStatus.sent,
                updated_at=now - timedelta(days=4),
            )
        )
        session.add(
            Referral(
                person_id=mine.id,
                organisation_id=org.id,
                kind="work",
                status=ReferralStatus.sent,
                updated_at=now - timedelta(days=1),
            )
        )
        session.add(
            Appointment(person_id=mine.id, starts_at=now + timedelta(hours=1), kind="meeting")
        )
        session.add(
            Appointment(person_id=mine.id, starts_at=now + timedelta(days=5), kind="meeting")
        )
        session.commit()

    body = client.get(URL, headers=officer["headers"]).json()
    assert [e["id"] for e in body["escalations"]["items"]] == [crit, low]
    assert body["escalations"]["items"][0]["seconds_left"] < 0
    assert body["escalations"]["total"] == 2
    assert [p["person_display_name"] for p in body["missed_checkins"]["items"]] == ["Missed"]
    assert [p["person_display_name"] for p in body["not_heard_from"]["items"]] == ["Quiet"]
    assert [r["kind"] for r in body["referrals_waiting"]["items"]] == ["housing"]
    assert len(body["appointments"]["items"]) == 1
    assert "Theirs" not in str(body)


def test_sections_are_capped_with_their_total(engine, make_user):
    officer_id = make_user("cap@example.org")
    for n in range(7):
        make_enrolled(engine, officer_id=officer_id, missed_checkins_in_row=n + 1)
    with Session(engine) as session:
        user = session.get(User, officer_id)
        today = read_today(session, user, utcnow(), limit=3)
    assert today.missed_checkins.total == 7
    assert [p["missed_in_row"] for p in today.missed_checkins.items] == [7, 6, 5]


def test_today_and_tomorrow_are_the_officers_local_days(engine, make_user):
    officer_id = make_user("zone@example.org")
    with session_scope(engine) as session:
        session.get(User, officer_id).timezone = "Asia/Almaty"
    person, _ = make_enrolled(engine, officer_id=officer_id)
    almaty = ZoneInfo("Asia/Almaty")
    # 23:30 in Almaty: "today" ends in half an hour, "tomorrow" is the whole next day.
    now = datetime(2026, 12, 3, 23, 30, tzinfo=almaty)
    times = {
        "earlier today": datetime(2026, 12, 3, 8, 0, tzinfo=almaty),
        "tonight": datetime(2026, 12, 3, 23, 50, tzinfo=almaty),
        "tomorrow late": datetime(2026, 12, 4, 23, 0, tzinfo=almaty),
        "day after": datetime(2026, 12, 5, 0, 30, tzinfo=almaty),
    }
    with Session(engine) as session:
        for kind, at in times.items():
            session.add(Appointment(person_id=person.id, starts_at=at, kind=kind))
        session.commit()
        user = session.get(User, officer_id)
        today = read_today(session, user, now)
    assert [(a["kind"], a["day"]) for a in today.appointments.items] == [
        ("earlier today", "today"),
        ("tonight", "today"),
        ("tomorrow late", "tomorrow"),
    ]


def test_partners_may_not_ask(client, make_user, login):
    make_user("partner@example.org", "ngo")
    assert client.get(URL, headers=login("partner@example.org")).status_code == 403
    assert client.get(URL).status_code == 401


def test_an_admins_today_holds_every_case_in_each_sections_order(engine, make_user):
    """An admin's page reads each section by its own index and counts apart: the same
    rows, order and totals as one sorted reading of every case."""
    now = utcnow()
    first, second = make_user("first@example.org"), make_user("second@example.org")
    admin_id = make_user("admin-today@example.org", role="admin")
    a1, _ = make_enrolled(
        engine, officer_id=first, missed_checkins_in_row=2, last_inbound_at=now - timedelta(20)
    )
    b1, _ = make_enrolled(
        engine, officer_id=second, missed_checkins_in_row=5, status="paused", last_inbound_at=now
    )
    make_enrolled(engine, officer_id=second, missed_checkins_in_row=9, status="closed")
    # Never wrote: quiet since they consented a month ago.
    a2, _ = make_enrolled(engine, officer_id=first, consent_at=now - timedelta(days=30))
    b3, _ = make_enrolled(engine, officer_id=second, last_inbound_at=now - timedelta(days=15))
    make_enrolled(engine, officer_id=second, last_inbound_at=now - timedelta(days=2))
    low = _escalation(engine, a1.id, "low", 3, timedelta(hours=70))
    crit = _escalation(engine, b1.id, "critical", 0, timedelta(minutes=5))
    _escalation(engine, a1.id, "high", 1, timedelta(hours=1), EscalationStatus.resolved)

    with Session(engine) as session:
        admin = session.get(User, admin_id)
        capped = read_today(session, admin, now, limit=2)
        whole = read_today(session, admin, now, limit=50)

    def people(section):
        return [row["person_id"] for row in section.items]

    assert people(whole.missed_checkins) == [b1.id, a1.id]
    assert people(whole.not_heard_from) == [a2.id, a1.id, b3.id]
    assert [row["id"] for row in whole.escalations.items] == [crit, low]
    assert people(capped.not_heard_from) == [a2.id, a1.id]
    assert (capped.not_heard_from.total, whole.not_heard_from.total) == (3, 3)
    assert (capped.missed_checkins.total, capped.escalations.total) == (2, 2)
    with Session(engine) as session:
        officer = session.get(User, first)
        theirs = read_today(session, officer, now, limit=50)
    assert people(theirs.not_heard_from) == [a2.id, a1.id]
    assert (theirs.missed_checkins.total, theirs.escalations.total) == (1, 1)
