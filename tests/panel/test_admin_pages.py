"""The admin pages: staff accounts, partner organisations and the audit log, for admins
only, through the same services and rules as the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.models import AuditEvent, Organisation, RefreshToken, User
from tests.panel.conftest import SignIn, csrf_of

NEW_PASSWORD = "a long enough first password"


def test_only_admins_see_the_admin_pages(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    staff("officer@example.org")
    sign_in("officer@example.org")
    for url in (
        "/panel/admin",
        "/panel/admin/staff",
        "/panel/admin/organisations",
        "/panel/admin/audit",
    ):
        assert client.get(url).status_code == 404, url
    token = csrf_of(client.get("/panel/").text)
    response = client.post(
        "/panel/admin/staff",
        data={
            "email": "x@example.org",
            "role": "admin",
            "password": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 404
    with Session(engine) as session:
        assert session.exec(select(User).where(User.email == "x@example.org")).first() is None


def test_an_admin_creates_and_deactivates_an_account(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    staff("admin@example.org", role="admin", language="en")
    sign_in("admin@example.org")
    page = client.get("/panel/admin/staff")
    assert page.status_code == 200 and "admin@example.org" in page.text
    token = csrf_of(page.text)

    weak = client.post(
        "/panel/admin/staff",
        data={
            "email": "new@example.org",
            "role": "officer",
            "password": "short",
            "csrf_token": token,
        },
    )
    assert weak.status_code == 422 and "password" in weak.text
    partner_without_org = client.post(
        "/panel/admin/staff",
        data={
            "email": "ngo@example.org",
            "role": "ngo",
            "password": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert partner_without_org.status_code == 422 and 'role="alert"' in partner_without_org.text

    made = client.post(
        "/panel/admin/staff",
        data={
            "email": "New.Officer@Example.org",
            "full_name": "Асель Нурланова",
            "role": "officer",
            "password": NEW_PASSWORD,
            "language": "kk",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "new.officer@example.org")).one()
        assert (user.role, user.language, user.full_name) == ("officer", "kk", "Асель Нурланова")
        user_id = user.id
    twice = client.post(
        "/panel/admin/staff",
        data={
            "email": "new.officer@example.org",
            "role": "officer",
            "password": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert twice.status_code in (409, 422)

    # The new officer signs in; deactivating the account ends that session at once.
    other = TestClient(client.app)
    form = other.get("/panel/login")
    other.post(
        "/panel/login",
        data={
            "email": "new.officer@example.org",
            "password": NEW_PASSWORD,
            "csrf_token": csrf_of(form.text),
        },
    )
    assert other.get("/panel/", follow_redirects=False).status_code == 200
    off = client.post(
        f"/panel/admin/staff/{user_id}/active",
        data={"active": "false", "csrf_token": token},
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert other.get("/panel/", follow_redirects=False).status_code == 303  # to sign-in
    with Session(engine) as session:
        assert session.get(User, user_id).is_active is False  # type: ignore[union-attr]
        live = session.exec(
            select(RefreshToken).where(
                RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
            )  # type: ignore[union-attr]
        ).all()
    assert live == []


def test_an_admin_adds_and_switches_off_an_organisation(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    staff("admin@example.org", role="admin", language="en")
    sign_in("admin@example.org")
    token = csrf_of(client.get("/panel/admin/organisations").text)
    no_service = client.post(
        "/panel/admin/organisations", data={"name": "Без услуг", "csrf_token": token}
    )
    assert no_service.status_code == 422 and "services" in no_service.text
    made = client.post(
        "/panel/admin/organisations",
        data={
            "name": "Жол Ашық",
            "services": ["employment", "legal_aid"],
            "languages": ["kk", "ru"],
            "regions": "Karaganda, Temirtau",
            "contact_email": "Intake@ZholAshyk.kz",
            "contact_phone": "8 701 123 45 67",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    with Session(engine) as session:
        organisation = session.exec(select(Organisation)).one()
    assert organisation.services == ["employment", "legal_aid"]
    assert organisation.regions == ["Karaganda", "Temirtau"]
    assert organisation.contact_email == "intake@zholashyk.kz"
    assert organisation.contact_phone == "+77011234567"
    off = client.post(
        f"/panel/admin/organisations/{organisation.id}/active",
        data={"active": "false", "csrf_token": token},
        follow_redirects=False,
    )
    assert off.status_code == 303
    with Session(engine) as session:
        assert session.get(Organisation, organisation.id).is_active is False  # type: ignore[union-attr]


def test_the_audit_log_filters_and_is_itself_audited(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    admin = staff("admin@example.org", role="admin", language="en")
    sign_in("admin@example.org")
    client.get("/panel/admin/staff")
    client.get("/panel/admin/audit")  # reading the log is an event too
    everything = client.get("/panel/admin/audit?actor=&person=&action=&since=&until=")
    assert everything.status_code == 200
    assert "<td>user.login</td>" in everything.text and "<td>audit.list</td>" in everything.text
    page = client.get(f"/panel/admin/audit?actor={admin}&action=audit.list")
    assert page.status_code == 200
    assert "<td>user.login</td>" not in page.text and "<td>audit.list</td>" in page.text
    for bad in ("actor=abc", "person=-1", "since=yesterday", "actor=99999999999999"):
        assert client.get(f"/panel/admin/audit?{bad}").status_code == 422, bad
    with Session(engine) as session:
        reads = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.list")).all()
    assert len(reads) >= 2


def test_an_admin_cannot_deactivate_themselves(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    admin = staff("admin@example.org", role="admin", language="en")
    sign_in("admin@example.org")
    token = csrf_of(client.get("/panel/admin/staff").text)
    response = client.post(
        f"/panel/admin/staff/{admin}/active", data={"active": "false", "csrf_token": token}
    )
    assert response.status_code == 409
    assert "You cannot deactivate your own account." in response.text
    with Session(engine) as session:
        assert session.get(User, admin).is_active is True  # type: ignore[union-attr]
