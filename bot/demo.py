"""Demo data for a newcomer: an officer, partner organisations, opportunities and people
with fresh invitation codes. Development only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import (
    Appointment,
    ChannelIdentity,
    CheckIn,
    ConsentRecord,
    Escalation,
    Invite,
    Message,
    Opportunity,
    Organisation,
    Person,
    Referral,
    User,
)
from bot.models.enums import (
    CheckInStatus,
    Direction,
    MessageStatus,
    PersonStatus,
    ReferralStatus,
    Role,
    Severity,
    SupervisionLevel,
)
from bot.services.invites import create_invite
from bot.services.users import create_user

DEMO_OFFICER_EMAIL = "officer@demo.jolserik.kz"
DEMO_SUPERVISOR_EMAIL = "supervisor@demo.jolserik.kz"
DEMO_ADMIN_EMAIL = "admin@demo.jolserik.kz"
DEMO_PARTNER_EMAIL = "partner@demo.jolserik.kz"
DEMO_SIMULATOR_ADDRESS = "demo-gulnara"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (development only; refused in production)

# (name, services, regions, languages, phone, address, hours). Services are what the
# journeys look for: employment (work), housing and shelter (housing), religious
# counselling and psychological support (counselling). No regions: serves everywhere.
ORGANISATIONS = [
    (
        "Жол Ашық",
        ["employment"],
        ["Karaganda"],
        ["ru", "kk"],
        "+77212000101",
        "ул. Бухар-Жырау, 45, Караганда",
        "Пн–Пт 9:00–18:00",
    ),
    ("Шаңырақ", ["housing"], ["Karaganda"], ["ru", "kk"], "+77212000102", None, None),
    (
        "Сенім",
        ["religious_counselling", "psychological_support"],
        ["Karaganda"],
        ["ru", "kk", "en"],
        None,
        None,
        None,
    ),
    ("Түнгі баспана", ["shelter"], ["Karaganda"], ["ru", "kk"], "+77212000104", None, "24/7"),
    # Names are what people read in the chat: written as the partner writes its own.
    ("Мансап", ["employment"], [], ["ru", "kk", "en"], "+77172000105", None, None),
]


def _texts(ru: str, kk: str, en: str) -> dict[str, str]:
    return {"ru": ru, "kk": kk, "en": en}


# (organisation index, title, field, region); fields are the work journey's canonical ones.
OPPORTUNITIES = [
    (
        0,
        _texts("Помощник на складе", "Қойма көмекшісі", "Warehouse assistant"),
        "logistics",
        "Karaganda",
    ),
    (
        0,
        _texts(
            "Помощник сварщика, обучение на месте",
            "Дәнекерлеуші көмекшісі, жұмыс орнында оқыту",
            "Welder's helper, training on the job",
        ),
        "construction",
        "Karaganda",
    ),
    (
        0,
        _texts("Пекарь, сменная работа", "Наубайшы, ауысымды жұмыс", "Bakery shift worker"),
        "food",
        "Karaganda",
    ),
    (
        0,
        _texts(
            "Курьер (велосипед выдаётся)",
            "Курьер (велосипед беріледі)",
            "Courier (bicycle provided)",
        ),
        "logistics",
        "Astana",
    ),
]
PEOPLE = [
    ("Айдос", "ru", SupervisionLevel.high),
    ("Ерлан", "kk", SupervisionLevel.medium),
    ("Daniyar", "en", SupervisionLevel.low),
]


def seed_demo(engine: Engine, settings: Settings) -> str:
    if settings.is_production:
        raise SystemExit("Refusing to seed demo data in production.")
    with session_scope(engine) as session:
        seeded = session.exec(select(User).where(User.email == DEMO_OFFICER_EMAIL)).first()
        if seeded is None:
            _seed(session)
        session.flush()
        codes = _fresh_codes(session, settings)
        logins = [
            (user.role, user.email)
            for user in session.exec(
                select(User)
                .where(col(User.email).endswith("@demo.jolserik.kz"))
                .order_by(col(User.id))
            ).all()
        ]
    lines = [
        "Demo data ready.",
        f"  Staff panel: {settings.public_base_url}/panel/ (sign in with any login below)",
        "  Logins (the panel, or POST /api/v1/auth/token), all with the same password:",
    ]
    lines += [f"    {role:<10} {email} / {DEMO_PASSWORD}" for role, email in logins]
    lines += [
        f"  Simulator: {settings.public_base_url}/simulator",
        f"  API docs:  {settings.public_base_url}/docs",
        "  Invitation codes, in the simulator's order (send one there to enroll):",
    ]
    lines += [f"    {name}: {code}" for name, code in codes] or ["    (everyone is enrolled)"]
    lines += [
        "  Already enrolled, with a week of history for the panel (simulator address):",
        f"    Гульнара: {DEMO_SIMULATOR_ADDRESS}",
    ]
    return "\n".join(lines)


def _seed(session: Session) -> None:
    supervisor = create_user(
        session,
        email=DEMO_SUPERVISOR_EMAIL,
        password=DEMO_PASSWORD,
        role=Role.supervisor,
        full_name="Demo Supervisor",
    )
    session.flush()
    officer = create_user(
        session,
        email=DEMO_OFFICER_EMAIL,
        password=DEMO_PASSWORD,
        role=Role.officer,
        full_name="Demo Officer",
        supervisor_id=supervisor.id,
    )
    create_user(
        session,
        email=DEMO_ADMIN_EMAIL,
        password=DEMO_PASSWORD,
        role=Role.admin,
        full_name="Demo Admin",
    )
    organisations = [
        Organisation(
            name=name,
            services=services,
            regions=regions,
            languages=languages,
            contact_phone=phone,
            address=address,
            opening_hours=hours,
        )
        for name, services, regions, languages, phone, address, hours in ORGANISATIONS
    ]
    session.add_all(organisations)
    session.flush()
    create_user(
        session,
        email=DEMO_PARTNER_EMAIL,
        password=DEMO_PASSWORD,
        role=Role.ngo,
        full_name="Demo Partner Coordinator",
        organisation_id=organisations[0].id,
    )
    for org_index, title, field, region in OPPORTUNITIES:
        session.add(
            Opportunity(
                organisation_id=organisations[org_index].id,  # type: ignore[arg-type]
                kind="employment",
                title=title,
                field=field,
                region=region,
            )
        )
    for name, language, level in PEOPLE:
        session.add(
            Person(
                display_name=name,
                language=language,
                region="Karaganda",
                supervision_level=level,
                officer_id=officer.id,
            )
        )
    session.flush()
    _enrolled_with_history(session, officer, organisations[0])


def _enrolled_with_history(session: Session, officer: User, partner: Organisation) -> None:
    """One person already enrolled on the simulator, with a week behind them, so the
    panel's pages show something before anyone has played: a conversation, a check-in, a
    low-mood escalation waiting on the officer, a referral waiting on the partner and an
    appointment tomorrow. (Open /simulator?address=demo-gulnara to write as her.)"""
    now = utcnow()
    person = Person(
        display_name="Гульнара",
        language="ru",
        region="Karaganda",
        supervision_level=SupervisionLevel.medium,
        officer_id=officer.id,
        status=PersonStatus.active,
        consent_given=True,
        consent_at=now - timedelta(days=7),
        last_inbound_at=now - timedelta(hours=2),
    )
    session.add(person)
    session.flush()
    assert person.id is not None
    identity = ChannelIdentity(
        person_id=person.id, channel="simulator", address=DEMO_SIMULATOR_ADDRESS, last_seen_at=now
    )
    session.add(identity)
    session.add(
        ConsentRecord(
            person_id=person.id,
            granted=True,
            text_version="demo",
            channel="simulator",
            created_at=now - timedelta(days=7),
        )
    )
    asked = now - timedelta(hours=2, minutes=5)
    for minutes, direction, body in (
        (0, Direction.outbound, "Как вы сегодня? Ответьте цифрой от 1 до 5."),
        (3, Direction.inbound, "2, плохо сплю, всё надоело"),
        (4, Direction.outbound, "Спасибо, что написали. Ваш куратор увидит ваш ответ."),
    ):
        session.add(
            Message(
                direction=direction,
                channel="simulator",
                address=DEMO_SIMULATOR_ADDRESS,
                person_id=person.id,
                identity_id=identity.id,
                body=body,
                status=MessageStatus.received
                if direction == Direction.inbound
                else MessageStatus.delivered,
                created_at=asked + timedelta(minutes=minutes),
            )
        )
    session.add(
        CheckIn(person_id=person.id, status=CheckInStatus.answered, due_at=asked, sent_at=asked)
    )
    session.add(
        Escalation(
            person_id=person.id,
            reason="low_mood",
            severity=Severity.high,
            severity_rank=1,
            detail="answered 2 of 5 at the check-in",
            ack_deadline=asked + timedelta(hours=4),
            created_at=asked + timedelta(minutes=3),
        )
    )
    session.add(
        Referral(
            person_id=person.id,
            organisation_id=partner.id,  # type: ignore[arg-type]
            kind="employment",
            status=ReferralStatus.sent,
            note="ищет работу в первую смену",
            shared_fields={
                "fields": ["first_name", "language", "need", "contact_channel"],
                "contact_channel": "simulator",
            },
            consent_at=now - timedelta(days=1),
            sent_at=now - timedelta(days=1),
            created_at=now - timedelta(days=1),
            updated_at=now - timedelta(days=1),
        )
    )
    tomorrow = (now + timedelta(days=1)).replace(hour=5, minute=0, second=0, microsecond=0)
    session.add(
        Appointment(
            person_id=person.id,
            starts_at=tomorrow,
            kind="meeting",
            place="ул. Ерубаева, 12, каб. 4",
            created_by_id=officer.id,
            created_at=now - timedelta(days=2),
        )
    )


def _fresh_codes(session: Session, settings: Settings) -> list[tuple[str, str]]:
    """A live code for every demo person still waiting to enroll (codes expire)."""
    now = utcnow()
    officer = session.exec(select(User).where(User.email == DEMO_OFFICER_EMAIL)).one()
    waiting = session.exec(
        select(Person)
        .where(Person.officer_id == officer.id, Person.status == PersonStatus.invited)
        .order_by(col(Person.id))
    ).all()
    codes = []
    for person in waiting:
        live = session.exec(
            select(Invite).where(
                Invite.person_id == person.id,
                col(Invite.used_at).is_(None),
                col(Invite.expires_at) > now,
            )
        ).first()
        if live is None:
            live = create_invite(session, person, settings=settings, created_by=officer, now=now)
        codes.append((person.display_name, live.code))
    return codes
