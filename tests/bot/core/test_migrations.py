"""The Alembic history builds exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import bot.models  # noqa: F401
from bot.core.migrate import current_revision, head_revision, is_at_head


def test_the_migrated_database_is_at_head(engine, database_url):
    assert head_revision(database_url) is not None
    assert current_revision(engine) == head_revision(database_url)
    assert is_at_head(engine)


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], f"run `alembic revision --autogenerate`: {differences}"


def test_every_model_table_exists_after_upgrade(engine):
    from sqlalchemy import inspect

    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
