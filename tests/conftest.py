"""Fixtures shared by every test: databases of each kind, per-test rollback, the app, factories.

Database tests run on SQLite and PostgreSQL. PostgreSQL comes from TEST_DATABASE_URL; under CI
(CI=true) it is required, elsewhere its tests are skipped when no server answers.
"""

import os
import re
import uuid
from collections.abc import Callable, Iterator

import pandas  # noqa: F401  imported before freezegun patches datetime, which pandas' C code checks
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from pathways.database import make_engine, migrate, normalise_database_url
from pathways.models import Organisation, OrganisationKind, Role, Site, User
from tests.helpers import TEST_PASSWORD, submit

CI = os.environ.get("CI", "").lower() == "true"
# Property-based tests: few, slow-ish examples (each is a request against a database), no
# deadline on a shared machine, no example database in the checkout. HYPOTHESIS_PROFILE=thorough
# runs many more.
settings.register_profile(
    "pathways",
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("thorough", settings.get_profile("pathways"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "pathways"))
DEFAULT_CI_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """An empty database of each kind, migrated to head once per test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        migrate(url)
        yield url
        return
    yield from postgres_database()


def postgres_database() -> Iterator[str]:
    """A new PostgreSQL database on TEST_DATABASE_URL's server, migrated, dropped afterwards."""
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
    if engine.dialect.name == "sqlite":
        _use_explicit_sqlite_transactions(engine)
    yield engine
    engine.dispose()


def _use_explicit_sqlite_transactions(engine: sa.Engine) -> None:
    """Let SQLAlchemy open SQLite transactions itself, so per-test savepoints nest properly.

    The sqlite3 driver only opens a transaction before a data change, so a SAVEPOINT issued
    first would start a transaction of its own and its RELEASE would commit it for real.
    """

    def autocommit_driver(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    sa.event.listen(engine, "connect", autocommit_driver)
    sa.event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))


@pytest.fixture
def connection(engine) -> Iterator[sa.Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def database_fault(connection) -> Iterator[Callable[..., None]]:
    """Make statements matching a pattern fail (as if the database had gone), after ``after`` pass.

    The driver's own OperationalError is raised before the statement runs, so everything the
    request wrote earlier is still in its (uncommitted) transaction, as with a lost connection.
    """
    listeners = []

    def fail(pattern: str, *, after: int = 0, error: str = "OperationalError") -> None:
        matching = re.compile(pattern, re.IGNORECASE)
        seen = 0

        def before_cursor_execute(_conn, _cursor, statement, parameters, _context, _many):
            nonlocal seen
            if matching.search(statement):
                seen += 1
                if seen > after:
                    dbapi_error = getattr(connection.dialect.loaded_dbapi, error)
                    raise dbapi_error(f"simulated fault: {error}")
            return statement, parameters

        sa.event.listen(connection, "before_cursor_execute", before_cursor_execute, retval=True)
        listeners.append(before_cursor_execute)

    yield fail
    for listener in listeners:
        sa.event.remove(connection, "before_cursor_execute", listener)


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
    """One shared hash with cheap Argon2id parameters, so the many test sign-ins stay fast.

    Verification reads the parameters from the hash itself, so the real code path is used;
    the service's own hashes use the OWASP parameters, and a successful sign-in upgrades a
    user's copy of this one to them (one real hash per test sign-in).
    """
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(TEST_PASSWORD)


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


@pytest.fixture
def fresh_database_url(database_url, tmp_path) -> Iterator[str]:
    """A separate, migrated database of the same kind, for tests whose writes must be committed."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        migrate(url)
        yield url
        return
    yield from postgres_database()


@pytest.fixture
def make_resident(db, make_user):
    """Register a resident (consenting to us holding data) on an advisor's caseload."""
    from datetime import date

    from pathways.residents import ResidentDetails, register_resident

    def make(advisor: User | None = None, *, share: bool = False, skills=(), **details):
        values = {
            "first_name": "Jordan",
            "last_name": f"Test{uuid.uuid4().hex[:6]}",
            "date_of_birth": date(1995, 6, 15),
            "postcode": "LS9 7JA",
        }
        return register_resident(
            session=db,
            advisor=advisor or make_user(Role.ADVISOR),
            details=ResidentDetails(**(values | details)),
            skill_labels=list(skills),
            consent_to_hold_data=True,
            share_with_employers=share,
        )

    return make


@pytest.fixture
def catalogue(db):
    """The packaged pathway catalogue loaded; returns pathways by slug."""
    from sqlmodel import select

    from pathways.catalogue import load_catalogue
    from pathways.models import Pathway

    load_catalogue(db)
    return {pathway.slug: pathway for pathway in db.exec(select(Pathway))}


@pytest.fixture
def make_vacancy(db, catalogue, make_site):
    """An open vacancy (a porter at a new site, closing in 30 days unless overridden)."""
    from datetime import timedelta

    from pathways.clock import today
    from pathways.models import Vacancy, VacancyStatus

    def make(**overrides):
        site = overrides.pop("site", None) or make_site()
        values = {
            "organisation_id": site.organisation_id,
            "site_id": site.id,
            "pathway_id": catalogue["hospital-porter"].id,
            "title": "Hospital porter",
            "positions": 2,
            "pay_min": 24465,
            "pay_max": 24465,
            "closing_date": today() + timedelta(days=30),
            "status": VacancyStatus.OPEN,
        }
        vacancy = Vacancy(**(values | overrides))
        db.add(vacancy)
        db.flush()
        return vacancy

    return make


@pytest.fixture
def outcome_data(db):
    """Three cohorts whose outcomes are counted by hand (see tests/reporting_data.py)."""
    from tests.reporting_data import build_outcome_data

    return build_outcome_data(db)
