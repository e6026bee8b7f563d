"""Backing up and restoring the whole database with each engine's own consistent tools.

SQLite uses its online backup API (a consistent copy while the service runs); PostgreSQL uses
``pg_dump --format=custom`` and ``pg_restore`` in one transaction, so a failed restore changes
nothing. ``table_fingerprints`` lets a restore be checked against what was backed up.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from pathways.errors import DomainError


class BackupFailed(DomainError):
    """The backup or restore tool refused; the message says why."""


def backup_database(url: str, destination: Path) -> Path:
    """Write a consistent copy of the database at ``url`` to ``destination``."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with (
            closing(_sqlite(parsed.database)) as source,
            closing(sqlite3.connect(destination)) as target,
        ):
            source.backup(target)
        return destination
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(destination)], parsed)
    return destination


def restore_database(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the backup in ``source``, all or nothing."""
    if not source.is_file():
        raise BackupFailed(f"There is no backup file at {source}")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with (
            closing(sqlite3.connect(source)) as backup,
            closing(_sqlite(parsed.database)) as target,
        ):
            backup.backup(target)
        return
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(source)],
        parsed,
    )


def table_fingerprints(engine: sa.Engine) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row, per table, to compare a restore with its original."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    fingerprints = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*order)).all()
            digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
            fingerprints[table.name] = (len(rows), digest)
    return fingerprints


def _sqlite(path: str | None) -> sqlite3.Connection:
    if not path or path == ":memory:":
        raise BackupFailed("Only a SQLite database in a file can be backed up")
    return sqlite3.connect(path)


def _run(command: list[str], url: sa.URL) -> None:
    """Run a PostgreSQL client tool against the database, with the password in the environment."""
    if shutil.which(command[0]) is None:
        raise BackupFailed(f"{command[0]} is not installed (apt-get install postgresql-client)")
    target = url.set(drivername="postgresql", password=None)
    environment = {"PGPASSWORD": url.password} if url.password else {}
    result = subprocess.run(  # noqa: S603 (fixed tool, arguments are not shell-parsed)
        [*command, "--dbname", target.render_as_string(hide_password=False)],
        capture_output=True,
        text=True,
        env={key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
        | environment,
        check=False,
    )
    if result.returncode != 0:
        raise BackupFailed(f"{command[0]} failed: {result.stderr.strip()[:500]}")
