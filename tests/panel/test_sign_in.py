"""Signing in and out of the panel: the cookie's flags, the CSRF token, the second factor,
the headers every page carries, and pages that need a session."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.admin.helpers import PASSWORD
from tests.panel.conftest import SignIn, csrf_of


def test_a_page_without_a_session_sends_to_the_sign_in_form(client: TestClient) -> None:
    response = client.get("/panel/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/panel/login"


def test_the_sign_in_page_is_locked_down(client: TestClient) -> None:
    page = client.get("/panel/login")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"]
    assert "jolserik_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "<script>" not in page.text and "onclick" not in page.text  # nothing inline
    assert 'for="email"' in page.text and 'id="email"' in page.text


def test_signing_in_sets_a_session_cookie_and_opens_today(
    client: TestClient, staff, sign_in: SignIn
) -> None:
    staff("officer@example.org", full_name="Aigerim Officer")
    form = client.get("/panel/login")
    response = client.post(
        "/panel/login",
        data={
            "email": "officer@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/panel/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("jolserik_panel=") and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Max-Age=43200" in cookie
    today = client.get("/panel/")
    assert today.status_code == 200
    assert "Aigerim Officer" in today.text


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, staff) -> None:
    staff("officer@example.org")
    client.get("/panel/login")
    response = client.post(
        "/panel/login",
        data={"email": "officer@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert (
        "set-cookie" not in response.headers
        or "jolserik_panel" not in response.headers["set-cookie"]
    )
    forged = client.post(
        "/panel/login",
        data={"email": "officer@example.org", "password": PASSWORD, "csrf_token": "x" * 43},
        follow_redirects=False,
    )
    assert forged.status_code == 403


def test_a_wrong_password_says_so_in_the_chosen_language(client: TestClient, staff) -> None:
    staff("officer@example.org")
    form = client.get("/panel/login?lang=ru")
    response = client.post(
        "/panel/login?lang=ru",
        data={
            "email": "officer@example.org",
            "password": "wrong" * 3,
            "csrf_token": csrf_of(form.text),
        },
    )
    assert response.status_code == 401
    assert "Неверный" in response.text
    assert 'lang="ru"' in response.text


def test_signing_out_ends_the_session(client: TestClient, staff, sign_in: SignIn) -> None:
    staff("officer@example.org")
    sign_in("officer@example.org")
    page = client.get("/panel/")
    response = client.post(
        "/panel/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/panel/", follow_redirects=False).status_code == 303


def test_a_partner_lands_on_referrals_and_today_is_not_theirs(
    client: TestClient, staff, sign_in: SignIn
) -> None:
    staff("ngo@example.org", "ngo")
    sign_in("ngo@example.org")
    assert client.get("/panel/").status_code == 404
