"""The `jolserik` command line, run in-process against the test database."""

from __future__ import annotations

import logging
import shlex
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import app
from bot.core.settings import load_settings
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
    with Session(engine) as session:
        users = session.exec(select(User)).all()
        assert {u.role for u in users} == {"admin", "supervisor", "officer", "ngo"}
        # Every demo login is printed with the password that opens it.
        for user in users:
            assert f"{user.email} / demo-password-2026" in first.output
        # Three waiting for a code, one enrolled with a history for the panel.
        assert len(session.exec(select(Person)).all()) == 4
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


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "DATABASE_URL is not a database URL"),
        ("bogus://host/db", "does not support (bogus)"),
        ("mysql://host/db", "driver 'MySQLdb' is not installed"),
        ("postgresql+psycopg://who:hunter2pw@127.0.0.1:1/nothing", "Cannot reach the database"),
    ],
)
def test_a_bad_database_is_one_line_that_says_what_to_fix(cli_env, monkeypatch, url, expected):
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert expected in lines[0]
    assert "Traceback" not in result.output and "hunter2pw" not in result.output


def test_an_unknown_revision_is_one_line_and_debug_shows_the_traceback(cli_env):
    plain = CliRunner().invoke(app, ["db", "upgrade", "no-such-revision"])
    assert plain.exit_code == 1
    assert "Unknown migration revision" in plain.output
    debug = CliRunner().invoke(app, ["--debug", "db", "upgrade", "no-such-revision"])
    assert debug.exit_code == 1
    assert debug.exception is not None and "no-such-revision" in str(debug.exception)


def test_serve_on_a_busy_port_exits_with_one_clear_line(cli_env):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.output
    assert "Traceback" not in result.output


def test_flags_show_no_value_placeholder_in_help():
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--no-worker" in result.output and "<bool>" not in result.output


# --- unsafe defaults ---------------------------------------------------------------------


ALL_INTERFACES = "0.0.0.0"  # noqa: S104  (what the refusal is about)


@pytest.fixture
def uvicorn_calls(monkeypatch):
    """What `serve` would have started: uvicorn.run records its arguments instead."""
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kwargs: calls.append(kwargs))
    return calls


@pytest.mark.parametrize("host", [ALL_INTERFACES, "::", "192.0.2.10", "bot.example.kz"])
def test_serve_refuses_the_development_key_beyond_loopback(
    cli_env, monkeypatch, uvicorn_calls, host
):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = CliRunner().invoke(app, ["serve", "--no-worker", "--host", host])
    assert result.exit_code == 2
    assert f"Refusing to listen on {host} with the development SECRET_KEY" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert uvicorn_calls == []


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_serve_on_loopback_may_use_the_development_key(cli_env, monkeypatch, uvicorn_calls, host):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = CliRunner().invoke(app, ["serve", "--no-worker", "--host", host])
    assert result.exit_code == 0, result.output
    assert uvicorn_calls[0]["host"] == host
    # uvicorn's access log writes query strings and client addresses: off (the app's own
    # access line is tested through a real server, tests/bot/core/test_access_log.py).
    assert uvicorn_calls[0]["access_log"] is False


def test_serve_beyond_loopback_with_a_real_key(cli_env, monkeypatch, uvicorn_calls):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    result = CliRunner().invoke(app, ["serve", "--no-worker", "--host", ALL_INTERFACES])
    assert result.exit_code == 0, result.output
    assert uvicorn_calls[0]["host"] == ALL_INTERFACES


def test_production_serve_without_a_key_does_not_start(cli_env, monkeypatch, uvicorn_calls):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = CliRunner().invoke(app, ["serve", "--no-worker", "--host", ALL_INTERFACES])
    assert result.exit_code == 2 and "SECRET_KEY" in result.output
    assert uvicorn_calls == []


def test_every_procfile_process_runs_production_settings(monkeypatch):
    """Each process's own variables, with no SECRET_KEY, cannot start: production refuses."""
    procfile = Path(__file__).resolve().parents[2] / "Procfile"
    processes = dict(line.split(": ", 1) for line in procfile.read_text().splitlines() if line)
    assert {"release", "web", "worker"} <= processes.keys()
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    for name, command in processes.items():
        words = shlex.split(command)
        assigned = dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-"))
        assert assigned.get("ENVIRONMENT") == "production", name
        with pytest.raises(ValidationError, match="SECRET_KEY"):
            load_settings(_env_file=None, **{k.lower(): v for k, v in assigned.items()})


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


def test_demo_prints_its_links_under_the_given_url(cli_env):
    result = CliRunner().invoke(app, ["demo", "--url", "http://127.0.0.1:8123/"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/simulator" in result.output
    assert "Staff panel: http://127.0.0.1:8123/panel/" in result.output
