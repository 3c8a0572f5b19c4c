"""`jolserik partners import FILE.csv`: a dry run that reports what it would do, every bad
row named by its line with what to fix, nothing half-imported, and a second run that
updates instead of duplicating."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.models import AuditEvent, Opportunity, Organisation

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "partners.csv"
HEADER = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture
def cli_env(settings, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.chdir(tmp_path)  # no developer's .env is read
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield tmp_path
    root.handlers[:], root.level = handlers, level


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["partners", "import", *args])


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Organisation)).one(),
            session.exec(select(func.count()).select_from(Opportunity)).one(),
        )


def test_the_example_imports_after_a_dry_run_and_again_updates(cli_env, engine: Engine) -> None:
    dry = _run(str(EXAMPLE), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "line 4: opening 'Помощник сварщика' at 'Жол Ашық': created" in dry.output
    assert "dry run, nothing changed): 4 created" in dry.output
    assert _counts(engine) == (0, 0)

    done = _run(str(EXAMPLE))
    assert done.exit_code == 0, done.output
    assert _counts(engine) == (2, 2)
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.name == "Жол Ашық")).one()
        assert org.contact_phone == "+77212000101" and org.services == ["employment", "legal_aid"]
        job = session.exec(select(Opportunity).where(Opportunity.kind == "employment")).one()
        assert job.title["kk"] == "Дәнекерлеуші көмекшісі" and job.capacity == 3
        assert job.closes_at is not None
        assert (
            session.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.actor_kind == "system")
            ).one()
            == 4
        )

    again = _run(str(EXAMPLE))
    assert again.exit_code == 0 and "0 created, 4 updated" in again.output
    assert _counts(engine) == (2, 2)


def test_a_bad_row_imports_nothing_and_every_bad_row_is_named(cli_env, engine: Engine) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    bad = [
        HEADER,
        lines[1],
        lines[2].replace("+77212000102", "12345"),  # line 3: a phone that is no number
        "trip," + ",".join([""] * (len(HEADER.split(",")) - 1)),  # line 4: no such record
        lines[3].replace("Жол Ашық", "Nobody"),  # line 5: an unknown organisation
        # line 6: capacity 0 (at an organisation that is fine)
        lines[4].replace(",2,open,", ",0,open,").replace("Шаңырақ", "Жол Ашық"),
    ]
    path = cli_env / "bad.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")

    result = _run(str(path))

    assert result.exit_code == 1
    assert "line 3: contact_phone: not a valid number" in result.output
    assert "line 4: record: must be organisation or opportunity" in result.output
    assert "line 5: organisation: no organisation named 'Nobody'" in result.output
    assert "line 6: capacity:" in result.output
    assert "Nothing imported: 4 problem(s)" in result.output
    assert _counts(engine) == (0, 0)  # line 2 was good, and is not kept either


def test_a_file_that_is_not_the_expected_csv_is_refused(cli_env, engine: Engine) -> None:
    wrong = cli_env / "wrong.csv"
    wrong.write_text("name,phone\nUmit,+77011234567\n", encoding="utf-8")
    result = _run(str(wrong))
    assert result.exit_code == 1 and "line 1: the header must name the columns" in result.output
    binary = cli_env / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00record")
    result = _run(str(binary))
    assert result.exit_code == 1 and "not UTF-8" in result.output
    assert _counts(engine) == (0, 0)
