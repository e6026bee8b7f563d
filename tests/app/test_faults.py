"""Faults: the database going away mid-request or at commit, and rules failing after writes.

Whatever happens, the person gets a clear page (JSON for the API), and nothing half-written stays.
"""

import io
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from app import create_app
from pathways.clock import today
from pathways.errors import ValidationFailed
from pathways.models import (
    ConsentRecord,
    Organisation,
    OrganisationKind,
    Resident,
    Role,
    User,
    Vacancy,
)
from tests.helpers import TEST_PASSWORD, csrf_token_from, submit

NEW_RESIDENT = {
    "first_name": "Nadia",
    "last_name": "Faultline",
    "date_of_birth": "31/03/1990",
    "postcode": "LS9 7JA",
    "english_level": "3",
    "maths_level": "2",
    "highest_qualification_level": "2",
    "consent_to_hold_data": "y",
    "share_with_employers": "y",
}
UNAVAILABLE = "Sorry, the service is unavailable"
NOTHING_SAVED = "Nothing you entered has been saved"


def residents_named(db, last_name: str) -> int:
    return db.exec(select(func.count()).where(Resident.last_name == last_name)).one()


def test_database_lost_mid_request_gives_503_page_and_keeps_nothing(
    client, login_as, db, database_fault
):
    login_as(Role.ADVISOR)
    # The resident row is written, then the database goes before its consent can be.
    database_fault(r"^INSERT INTO consent_record")
    response = submit(client, "/residents/new", NEW_RESIDENT)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert UNAVAILABLE in html and NOTHING_SAVED in html
    assert "nhsuk-header" in html  # the NHS.UK page, not a bare error
    assert residents_named(db, "Faultline") == 0
    assert db.exec(select(func.count()).select_from(ConsentRecord)).one() == 0


def test_database_lost_during_an_api_request_gives_json_503(client, database_fault):
    database_fault(r"^SELECT")
    response = client.get("/api/v1/pathways")
    assert response.status_code == 503
    assert response.is_json
    assert response.get_json()["error"]["status"] == 503
    assert response.get_json()["error"]["title"] == UNAVAILABLE


@pytest.fixture
def committing_client(fresh_database_url, test_password_hash):
    """A client of an app whose requests really commit, signed in as an advisor."""
    app = create_app({"ENV": "testing", "TESTING": True, "DATABASE_URL": fresh_database_url})
    engine = app.extensions["pathways.engine"]
    with Session(engine) as session:
        organisation = Organisation(
            name="Commit Test", kind=OrganisationKind.EMPLOYABILITY_PROVIDER
        )
        session.add(organisation)
        session.flush()
        session.add(
            User(
                email="commit-advisor@pathways.test",
                full_name="Commit Advisor",
                role=Role.ADVISOR,
                organisation_id=organisation.id,
                password_hash=test_password_hash,
            )
        )
        session.commit()
    client = app.test_client()
    signed_in = submit(
        client, "/sign-in", {"email": "commit-advisor@pathways.test", "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 302
    yield client
    engine.dispose()


@pytest.mark.parametrize(
    ("driver_error", "status", "message"),
    [
        ("OperationalError", 503, UNAVAILABLE),
        ("IntegrityError", 409, "Someone else saved a change at the same time"),
    ],
)
def test_failed_commit_is_reported_and_rolled_back(
    committing_client, monkeypatch, driver_error, status, message
):
    client = committing_client
    engine = client.application.extensions["pathways.engine"]
    token = csrf_token_from(client.get("/residents/new").get_data(as_text=True))

    def commit_fails(_dbapi_connection):
        raise getattr(engine.dialect.loaded_dbapi, driver_error)("simulated commit failure")

    monkeypatch.setattr(engine.dialect, "do_commit", commit_fails)
    response = client.post("/residents/new", data=NEW_RESIDENT | {"csrf_token": token})
    monkeypatch.undo()
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    with Session(engine) as session:
        assert residents_named(session, "Faultline") == 0
    # The service carries on once the database does.
    assert submit(client, "/residents/new", NEW_RESIDENT).status_code == 302
    with Session(engine) as session:
        assert residents_named(session, "Faultline") == 1


def test_unreachable_database_gives_503_pages(database_url, tmp_path):
    """A database that cannot be reached at all: pages, API and health check all say so."""
    unreachable = (
        f"sqlite:///{tmp_path / 'missing-folder' / 'pathways.db'}"
        if database_url.startswith("sqlite")
        else "postgresql+psycopg://postgres@127.0.0.1:1/pathways?connect_timeout=2"
    )
    app = create_app({"ENV": "testing", "TESTING": True, "DATABASE_URL": unreachable})
    client = app.test_client()
    page = client.get("/pathways/")
    assert page.status_code == 503 and UNAVAILABLE in page.get_data(as_text=True)
    api = client.get("/api/v1/vacancies")
    assert api.status_code == 503 and api.get_json()["error"]["status"] == 503
    assert client.get("/healthz").status_code == 503
    app.extensions["pathways.engine"].dispose()


def test_a_rule_failing_after_writes_rolls_the_request_back(client, login_as, db, monkeypatch):
    """The form is shown again with the message, and the rows flushed before it are undone."""
    import app.residents as views

    real = views.register_resident

    def register_then_fail(**kwargs):
        real(**kwargs)
        raise ValidationFailed("Checked too late", {"postcode": "That postcode was withdrawn"})

    monkeypatch.setattr(views, "register_resident", register_then_fail)
    login_as(Role.ADVISOR)
    response = submit(client, "/residents/new", NEW_RESIDENT)
    assert response.status_code == 200
    assert "That postcode was withdrawn" in response.get_data(as_text=True)
    assert residents_named(db, "Faultline") == 0
    assert db.exec(select(func.count()).select_from(ConsentRecord)).one() == 0


def test_future_consent_date_registers_nobody(client, login_as, db):
    """Once a resident row was flushed before the consent date was refused, and committed."""
    login_as(Role.ADVISOR)
    tomorrow = (today() + timedelta(days=1)).strftime("%d/%m/%Y")
    response = submit(client, "/residents/new", NEW_RESIDENT | {"consent_given_on": tomorrow})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter today&#39;s date or an earlier one" in html
    assert 'href="#consent_given_on"' in html  # in the error summary, linked to its field
    assert residents_named(db, "Faultline") == 0


def test_vacancy_edit_failing_a_rule_keeps_the_stored_vacancy(
    client, login_as, db, make_site, make_vacancy, monkeypatch
):
    import app.vacancies as views
    from pathways import vacancies

    employer = login_as(Role.EMPLOYER)
    site = make_site(organisation_id=employer.organisation_id)
    vacancy = make_vacancy(site=site, title="Porter (nights)")
    real = vacancies.update_vacancy

    def update_then_fail(**kwargs):
        real(**kwargs)
        raise ValidationFailed("Too late", {"title": "Someone else renamed it"})

    monkeypatch.setattr(views.vacancies, "update_vacancy", update_then_fail)
    page = client.get(f"/vacancies/{vacancy.id}/edit").get_data(as_text=True)
    response = client.post(
        f"/vacancies/{vacancy.id}/edit",
        data={
            "csrf_token": csrf_token_from(page),
            "pathway_id": vacancy.pathway_id,
            "site_id": site.id,
            "title": "Porter (days)",
            "positions": "3",
            "pay_min": "24465",
            "pay_period": "annual",
            "shift_pattern": "days",
            "closing_date": (today() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Someone else renamed it" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Vacancy, vacancy.id).title == "Porter (nights)"


@pytest.mark.parametrize("fail_after_rows", [0, 2])
def test_web_import_interrupted_by_the_database_stores_nothing(
    client, login_as, db, database_fault, fail_after_rows
):
    login_as(Role.ADVISOR)
    rows = "".join(f"Person{n},Importfault,31/03/199{n},LS9 7JA,yes\n" for n in range(4))
    csv_text = "Forename,Surname,Date of birth,Postcode,Consent\n" + rows
    database_fault(r"^INSERT INTO resident\b", after=fail_after_rows)
    token = csrf_token_from(client.get("/residents/import").get_data(as_text=True))
    response = client.post(
        "/residents/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv_text.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 503
    assert NOTHING_SAVED in response.get_data(as_text=True)
    assert residents_named(db, "Importfault") == 0
