"""The Alembic history builds exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import bot.models  # noqa: F401
from bot.core.migrate import current_revision, head_revision, is_at_head


def test_the_migrated_database_is_at_head(engine, database_url):
    assert head_revision(database_url) is not None
    assert current_revision(engine) == head_revision(database_url)
    assert is_at_head(engine)


# SQLite cannot reflect an index on an expression, so there the comparison skips it (and
# says so); the next test checks such indexes exist by name on both engines.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], f"run `alembic revision --autogenerate`: {differences}"


def test_every_model_index_exists_after_upgrade(engine):
    if engine.dialect.name == "sqlite":
        listing = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        listing = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    with engine.connect() as conn:
        present = set(conn.execute(text(listing)).scalars())
    declared = {
        index.name for table in SQLModel.metadata.tables.values() for index in table.indexes
    }
    assert "ix_person_status_heard_at" in declared
    assert declared - present == set()


def test_every_model_table_exists_after_upgrade(engine):
    from sqlalchemy import inspect

    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
