"""Fixtures shared by every test: databases of each kind, per-test rollback, the app, factories.

Database tests run on SQLite and PostgreSQL. PostgreSQL comes from TEST_DATABASE_URL; under CI
(CI=true) it is required, elsewhere its tests are skipped when no server answers.
"""

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from pathways.accounts import hash_password
from pathways.database import make_engine, normalise_database_url
from pathways.models import Organisation, OrganisationKind, Role, Site, User
from tests.helpers import TEST_PASSWORD, submit

ROOT = Path(__file__).resolve().parents[1]
CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_CI_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["skip_logging"] = True
    return config


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """An empty database of each kind, migrated to head once per test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        migrate(url)
        yield url
        return
    yield from _postgres_database()


def _postgres_database() -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL") or (DEFAULT_CI_POSTGRES if CI else None)
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (they always run in CI)")
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    name = f"pathways_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        if CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {base}: {error}")
        pytest.skip(f"PostgreSQL unreachable at {base}")
    url = normalise_database_url(re.sub(r"/[^/?]+(\?|$)", rf"/{name}\1", base, count=1))
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine) -> Iterator[sa.Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection) -> sessionmaker[Session]:
    """Sessions whose commits become savepoints of the test's outer transaction."""
    return sessionmaker(
        bind=connection,
        class_=Session,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
def db(session_factory) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def app(database_url, session_factory):
    from app import create_app

    app = create_app({"ENV": "testing", "TESTING": True, "DATABASE_URL": database_url})
    app.extensions["pathways.sessionmaker"] = session_factory
    yield app
    app.extensions["pathways.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def test_password_hash() -> str:
    """Hashing is deliberately slow, so the factories share one hash."""
    return hash_password(TEST_PASSWORD)


@pytest.fixture
def make_organisation(db) -> Callable[..., Organisation]:
    def make(**overrides) -> Organisation:
        values = {"name": f"Org {uuid.uuid4().hex[:8]}", "kind": OrganisationKind.NHS_TRUST}
        organisation = Organisation(**(values | overrides))
        db.add(organisation)
        db.flush()
        return organisation

    return make


@pytest.fixture
def make_site(db, make_organisation) -> Callable[..., Site]:
    def make(**overrides) -> Site:
        if "organisation_id" not in overrides:
            overrides["organisation_id"] = make_organisation().id
        values = {
            "name": f"Site {uuid.uuid4().hex[:8]}",
            "postcode": "LS9 7TF",
            "latitude": 53.80688,
            "longitude": -1.52036,
        }
        site = Site(**(values | overrides))
        db.add(site)
        db.flush()
        return site

    return make


ORGANISATION_KIND_FOR_ROLE = {
    Role.ADVISOR: OrganisationKind.EMPLOYABILITY_PROVIDER,
    Role.EMPLOYER: OrganisationKind.NHS_TRUST,
    Role.PROGRAMME_LEAD: OrganisationKind.COUNCIL,
    Role.ADMIN: OrganisationKind.COUNCIL,
}


@pytest.fixture
def make_user(db, make_organisation, test_password_hash) -> Callable[..., User]:
    def make(role: Role = Role.ADVISOR, organisation: Organisation | None = None, **overrides):
        organisation = organisation or make_organisation(kind=ORGANISATION_KIND_FOR_ROLE[role])
        values = {
            "email": f"{role.value}-{uuid.uuid4().hex[:8]}@pathways.test",
            "full_name": f"Test {role.value.replace('_', ' ').title()}",
            "role": role,
            "organisation_id": organisation.id,
            "password_hash": test_password_hash,
        }
        user = User(**(values | overrides))
        db.add(user)
        db.flush()
        return user

    return make


@pytest.fixture
def login_as(client, make_user) -> Callable[..., User]:
    """Sign the test client in as a new user of the given role, through the real sign-in form."""

    def login(role: Role = Role.ADVISOR, **overrides) -> User:
        user = make_user(role, **overrides)
        response = submit(client, "/sign-in", {"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return login
