"""Every form the panel accepts, posted as an attacker would: junk in every field, values
of the wrong kind, control characters, oversized text, ids no table can hold, by an admin
(who may reach every form) and by a partner. The answer is a redirect or a 4xx page,
never a 500 and never a traceback. (Each form's own tests check what a refusal leaves.)"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from admin.panel.site import PREFIX, VIEWS
from tests.factories import make_enrolled
from tests.panel.conftest import SignIn, csrf_of

FIELDS = (
    "text", "body", "due_at", "starts_at", "kind", "place", "organisation_id", "note",
    "fields", "officer_id", "status", "reason", "email", "full_name", "role", "password",
    "supervisor_id", "language", "timezone", "name", "services", "regions", "languages",
    "contact_email", "contact_phone", "address", "opening_hours", "region", "capacity",
    "title_ru", "description_kk", "how_to_apply_en", "active", "outcome",
)  # fmt: skip
HOSTILE = (
    "",
    " ",
    "\x00",
    "a\u202eb",
    "9" * 40,
    "-1",
    "1e309",
    "NaN",
    "true",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "2026-02-30T25:61",
    "😀" * 300,
    "x" * 3000,
)
IDS = ("1", "0", "-1", "2147483648", "99999999999999999999", "abc")


def _panel_posts() -> list[str]:
    return sorted(
        PREFIX + route.path
        for view in VIEWS
        for route in view.router.routes
        if isinstance(route, APIRoute)
        and "POST" in route.methods
        and route.path not in ("/login", "/logout")
    )


@pytest.mark.parametrize("role", ["admin", "ngo"])
def test_no_panel_form_answers_500(
    client: TestClient, engine: Engine, staff, sign_in: SignIn, role: str
) -> None:
    staff("someone@example.org", role=role, language="en")
    make_enrolled(engine, display_name="Aidos")
    sign_in("someone@example.org")
    token = csrf_of(client.get("/panel/me").text)
    routes = _panel_posts()
    assert len(routes) >= 15  # every form route is walked, new ones too
    for path in routes:
        for id_value in IDS:
            url = re.sub(r"\{[a-z_]+\}", id_value, path).replace("/status/{action}", "/status/x")
            url = url.replace("{action}", "pause")
            for junk in HOSTILE:
                data = {name: junk for name in FIELDS}
                response = client.post(
                    url, data={**data, "csrf_token": token}, follow_redirects=False
                )
                assert response.status_code < 500, (url, junk[:20], response.status_code)
                assert "Traceback" not in response.text
