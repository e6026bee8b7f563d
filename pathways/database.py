"""Engines and sessions for SQLite and PostgreSQL, configured the same way everywhere."""

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

# The embedded default: a SQLite file in the project's instance folder.
INSTANCE_DIR = Path(__file__).resolve().parents[1] / "instance"
DEFAULT_DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'pathways.db'}"
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets foreign keys on and a busy timeout, PostgreSQL a pre-ping."""
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 15}, **kwargs)
        sa.event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(url: str) -> Config:
    """The repository's Alembic configuration, pointed at one database, logging left alone."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = url
    config.attributes["skip_logging"] = True
    return config


def migrate(url: str) -> None:
    """Bring a database to the latest schema (tests and scripts; ``make migrate`` elsewhere)."""
    command.upgrade(alembic_config(url), "head")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit, for rendering after the write."""
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs, as hosting platforms usually hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
