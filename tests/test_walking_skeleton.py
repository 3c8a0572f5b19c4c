"""The newcomer's journey, end to end through the real app with the worker embedded:
enroll in the simulator with an invite code, schedule a check-in through the API,
receive it within a scheduler tick, answer it, and see it all on the timeline."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from bot.app import create_app
from bot.demo import DEMO_OFFICER_EMAIL, DEMO_PASSWORD, seed_demo
from bot.models import Invite, Person


def _wait_for(client: TestClient, address: str, after: int, count: int, timeout: float = 10.0):
    """Poll the simulated phone like the page does, until `count` new bot messages arrive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = client.get(
            "/webhooks/simulator/conversation", params={"address": address, "after": after}
        ).json()
        out = [m for m in messages if m["direction"] == "out"]
        if len(out) >= count:
            return messages
        time.sleep(0.05)
    pytest.fail(f"expected {count} bot messages after #{after}, got {messages}")


def _wait_for_question(
    client: TestClient, address: str, after: int, choice_ids: set[str], timeout: float = 10.0
):
    """Poll until the bot asks a question offering `choice_ids` (a step may send an
    explanation first, and the dispatcher delivers each message as soon as it can)."""
    deadline = time.monotonic() + timeout
    seen: list = []
    while time.monotonic() < deadline:
        seen = client.get(
            "/webhooks/simulator/conversation", params={"address": address, "after": after}
        ).json()
        for message in seen:
            if message["direction"] == "out" and choice_ids <= {
                c["id"] for c in message["choices"]
            }:
                return message
        time.sleep(0.05)
    pytest.fail(f"no question offering {choice_ids} after #{after}; got {seen}")


def _say(client: TestClient, address: str, **body) -> int:
    response = client.post("/webhooks/simulator", json={"address": address, **body})
    assert response.status_code == 200, response.text
    return response.json()["message_id"]


def test_enroll_schedule_receive_and_answer_a_checkin(settings, engine):
    seed_demo(engine, settings)
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.display_name == "Daniyar")).one()
        code = session.exec(select(Invite).where(Invite.person_id == person.id)).one().code

    with TestClient(create_app(settings, with_worker=True)) as client:
        phone = "newcomer-1"
        last = _say(client, phone, text=code)
        welcome = _wait_for_question(client, phone, 0, {"l_ru", "l_kk", "l_en"})
        assert [c["id"] for c in welcome["choices"]] == ["l_ru", "l_kk", "l_en"]

        last = _say(client, phone, choice="l_en")
        consent = _wait_for_question(client, phone, last, {"c_yes", "c_no"})
        assert "officer" in consent["body"]
        last = _say(client, phone, text="Yes")
        _wait_for(client, phone, last, 1)

        token = client.post(
            "/api/v1/auth/token", data={"username": DEMO_OFFICER_EMAIL, "password": DEMO_PASSWORD}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        scheduled = client.post(f"/api/v1/persons/{person.id}/checkins", headers=auth)
        assert scheduled.status_code == 201, scheduled.text

        started = time.monotonic()
        question = _wait_for_question(client, phone, last, {"m1", "m5"})
        assert time.monotonic() - started < settings.scheduler_tick_seconds + 5
        assert [c["label"] for c in question["choices"]] == ["1", "2", "3", "4", "5"]

        last = _say(client, phone, text="4")
        _wait_for_question(client, phone, last, {"n_ok", "n_officer"})
        last = _say(client, phone, choice="n_ok")
        _wait_for(client, phone, last, 1)

        timeline = client.get(f"/api/v1/persons/{person.id}/timeline", headers=auth).json()
        checkins = [item for item in timeline["items"] if item["type"] == "checkin"]
        assert [(c["status"], c["mood"], c["need"]) for c in checkins] == [("answered", 4, "ok")]
        messages = [item for item in timeline["items"] if item["type"] == "message"]
        assert any(m["direction"] == "in" and m["body"] == "4" for m in messages)
        consents = [item for item in timeline["items"] if item["type"] == "consent"]
        assert [c["granted"] for c in consents] == [True]
