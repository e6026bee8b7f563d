"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import pathways.models  # noqa: F401  (registers the tables)
from pathways.database import alembic_config


def test_upgrade_head_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_every_table_is_created(engine):
    tables = set(sa.inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_downgrade_then_upgrade_round_trips(database_url, engine):
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert set(SQLModel.metadata.tables) <= set(sa.inspect(engine).get_table_names())


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET detail = 'x'", "DELETE FROM audit_event"]
)
def test_audit_log_refuses_updates_and_deletes(connection, statement):
    connection.execute(
        sa.text(
            "INSERT INTO audit_event (at, action, entity_type, detail) "
            "VALUES (CURRENT_TIMESTAMP, 'view', 'resident', 'seen')"
        )
    )
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        connection.execute(sa.text(statement))
