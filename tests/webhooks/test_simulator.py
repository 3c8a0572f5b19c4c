"""The simulator page: people in the order `jolserik demo` prints them, its own script and
stylesheet (no inline code), and the enrolment status the page uses to drop its hint."""

from __future__ import annotations

import re

from bot.demo import seed_demo
from tests.factories import make_enrolled, make_invite, make_person


def test_people_are_listed_in_the_order_the_demo_prints_them(client, engine, settings):
    report = seed_demo(engine, settings)
    printed = re.findall(r"^    (\S+): \S+$", report, flags=re.M)
    page = client.get("/simulator").text
    listed = re.findall(r'<span class="name">([^<]+)</span>', page)
    assert printed == ["Айдос", "Ерлан", "Daniyar", "Гульнара"]
    assert listed == printed


def test_one_entry_per_person_enrolled_ones_by_their_own_address(client, engine):
    waiting = make_person(engine, display_name="Waiting")
    make_invite(engine, waiting)
    make_invite(engine, waiting)  # a second live code: still one entry
    enrolled, identity = make_enrolled(engine, display_name="Enrolled")
    make_invite(engine, enrolled)
    page = client.get("/simulator").text
    assert re.findall(r'<span class="name">([^<]+)</span>', page) == ["Waiting", "Enrolled"]
    assert f'data-address="{identity.address}"' in page


def test_the_page_has_no_inline_script_or_style(client):
    page = client.get("/simulator").text
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert "<style" not in page and " style=" not in page
    script = client.get("/simulator/static/simulator.js")
    css = client.get("/simulator/static/simulator.css")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    # Two polls at once (the interval and a send) must not draw a bubble twice.
    assert "if (!address || polling) return;" in script.text
    assert "min-height: 44px" in css.text


def test_only_the_page_files_are_served(client):
    for name in ("../simulator.py", "simulator.html", "nothing.js", "%2e%2e%2fsimulator.py"):
        assert client.get(f"/simulator/static/{name}").status_code == 404


def test_status_says_whether_the_phone_is_enrolled(client, engine):
    _, identity = make_enrolled(engine)
    known = client.get("/webhooks/simulator/status", params={"address": identity.address})
    unknown = client.get("/webhooks/simulator/status", params={"address": "sim-nobody"})
    assert known.json() == {"enrolled": True}
    assert unknown.json() == {"enrolled": False}
    assert client.get("/webhooks/simulator/status", params={"address": "<bad>"}).status_code == 422


def test_a_new_phone_is_enrolled_once_its_code_is_accepted(client, engine):
    person = make_person(engine, display_name="New")
    invite = make_invite(engine, person)
    address = "sim-new-1"
    assert client.get("/webhooks/simulator/status", params={"address": address}).json() == {
        "enrolled": False
    }
    client.post("/webhooks/simulator", json={"address": address, "text": invite.code})
    assert client.get("/webhooks/simulator/status", params={"address": address}).json() == {
        "enrolled": True
    }


def test_a_cursor_beyond_any_id_is_422_not_a_database_error(client):
    # PostgreSQL refuses integers past its column type; found by the OpenAPI fuzz test.
    response = client.get("/webhooks/simulator/conversation?address=abc&after=99999999999")
    assert response.status_code == 422
    assert client.get("/webhooks/simulator/conversation?address=abc&after=5").status_code == 200
