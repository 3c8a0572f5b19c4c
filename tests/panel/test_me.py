"""A staff member chooses the panel's language and their time zone."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.models import User
from tests.panel.conftest import SignIn, csrf_of


def test_the_panel_speaks_the_chosen_language_in_the_chosen_zone(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    sign_in("officer@example.org")
    page = client.get("/panel/me")
    assert page.status_code == 200 and "My settings" in page.text
    token = csrf_of(page.text)

    bad_zone = client.post(
        "/panel/me",
        data={"language": "kk", "timezone": "Mars/Olympus", "csrf_token": token},
    )
    assert bad_zone.status_code == 422 and 'role="alert"' in bad_zone.text
    with Session(engine) as session:
        assert session.get(User, officer).language == "en"  # type: ignore[union-attr]

    saved = client.post(
        "/panel/me",
        data={
            "full_name": "Дана",
            "language": "kk",
            "timezone": "Africa/Tunis",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with Session(engine) as session:
        user = session.get(User, officer)
        assert user is not None
        assert (user.language, user.timezone, user.full_name) == ("kk", "Africa/Tunis", "Дана")
    today = client.get("/panel/")
    assert '<html lang="kk">' in today.text and "Бүгін" in today.text
