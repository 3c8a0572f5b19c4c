"""The `jolserik` command line, run in-process against the test database."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import app
from bot.models import Invite, Organisation, Person, User


@pytest.fixture
def cli_env(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.chdir(tmp_path)  # no developer's .env is read
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield settings
    root.handlers[:], root.level = handlers, level  # the CLI configures logging


def test_db_upgrade_is_idempotent(cli_env):
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "head" in result.output


def test_users_create_with_a_password_option(cli_env, engine):
    result = CliRunner().invoke(
        app,
        [
            "users",
            "create",
            "--email",
            "A.Officer@Example.kz",
            "--role",
            "officer",
            "--password",
            "correct horse battery",
            "--name",
            "A. Officer",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "correct horse" not in result.output
    with Session(engine) as session:
        user = session.exec(select(User)).one()
    assert user.role == "officer" and user.full_name == "A. Officer"
    assert user.password_hash.startswith("$argon2")


def test_users_create_prompts_for_the_password_when_not_given(cli_env, engine):
    result = CliRunner().invoke(
        app,
        ["users", "create", "--email", "sup@example.kz", "--role", "supervisor"],
        input="a long enough secret\na long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assert session.exec(select(User)).one().role == "supervisor"


def test_users_create_refuses_a_bad_role_and_a_duplicate(cli_env, engine):
    runner = CliRunner()
    bad = runner.invoke(
        app,
        [
            "users",
            "create",
            "--email",
            "x@example.kz",
            "--role",
            "janitor",
            "--password",
            "a long enough secret",
        ],
    )
    assert bad.exit_code == 1 and "Not created" in bad.output
    args = [
        "users",
        "create",
        "--email",
        "y@example.kz",
        "--role",
        "admin",
        "--password",
        "a long enough secret",
    ]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "Not created" in again.output


def test_demo_seeds_once_and_prints_the_login_and_live_codes(cli_env, engine):
    runner = CliRunner()
    first = runner.invoke(app, ["demo"])
    second = runner.invoke(app, ["demo"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "officer@demo.jolserik.kz" in first.output
    with Session(engine) as session:
        assert len(session.exec(select(User)).all()) == 2
        assert len(session.exec(select(Person)).all()) == 3
        assert len(session.exec(select(Organisation)).all()) == 5
        codes = [i.code for i in session.exec(select(Invite)).all()]
    assert len(codes) == 3 and all(code in second.output for code in codes)


def test_production_refuses_demo_data(cli_env, monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code != 0


def test_a_configuration_error_is_a_message_not_a_traceback(cli_env, monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "SECRET_KEY" in result.output


def test_users_create_with_a_supervisor_and_an_ngo_needs_its_organisation(cli_env, engine):
    runner = CliRunner()
    base = ["users", "create", "--password", "a long enough secret"]
    boss = runner.invoke(app, [*base, "--email", "boss@example.kz", "--role", "supervisor"])
    assert boss.exit_code == 0, boss.output
    with Session(engine) as session:
        boss_id = session.exec(select(User)).one().id
    officer = runner.invoke(
        app,
        [*base, "--email", "o@example.kz", "--role", "officer", "--supervisor-id", str(boss_id)],
    )
    assert officer.exit_code == 0, officer.output
    ngo = runner.invoke(app, [*base, "--email", "n@example.kz", "--role", "ngo"])
    assert ngo.exit_code == 1 and "required for an ngo account" in ngo.output
    with Session(engine) as session:
        made = session.exec(select(User).where(User.email == "o@example.kz")).one()
    assert made.supervisor_id == boss_id
