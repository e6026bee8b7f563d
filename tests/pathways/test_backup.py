"""Backups restore exactly what was there, on SQLite and PostgreSQL."""

import pytest
from sqlmodel import Session, select

from pathways.backup import BackupFailed, backup_database, restore_database, table_fingerprints
from pathways.database import make_engine
from pathways.demo import seed_demo
from pathways.models import Organisation, OrganisationKind, Site


@pytest.fixture
def fresh_engine(fresh_database_url):
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        seed_demo(session=session)
        session.commit()
    yield engine
    engine.dispose()


def test_restore_brings_back_exactly_what_was_backed_up(fresh_database_url, fresh_engine, tmp_path):
    before = table_fingerprints(fresh_engine)
    assert before["organisation"][0] >= 6
    archive = backup_database(fresh_database_url, tmp_path / "pathways.backup")
    with Session(fresh_engine) as session:
        session.add(Organisation(name="Added after the backup", kind=OrganisationKind.COUNCIL))
        site = session.exec(select(Site)).first()
        site.name = "Renamed after the backup"
        session.commit()
    assert table_fingerprints(fresh_engine) != before
    fresh_engine.dispose()

    restore_database(fresh_database_url, archive)

    assert table_fingerprints(fresh_engine) == before


def test_restoring_a_missing_file_fails_clearly_and_changes_nothing(
    fresh_database_url, fresh_engine, tmp_path
):
    before = table_fingerprints(fresh_engine)
    with pytest.raises(BackupFailed, match="no backup file"):
        restore_database(fresh_database_url, tmp_path / "missing.backup")
    assert table_fingerprints(fresh_engine) == before


def test_backup_command_writes_a_file(app, tmp_path):
    destination = tmp_path / "cli.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(destination)])
    assert result.exit_code == 0, result.output
    assert destination.stat().st_size > 10_000
    assert "Backed up to" in result.output


def test_restore_command_asks_for_confirmation(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "x")], input="n\n")
    assert result.exit_code == 1
    assert "Aborted" in result.output
