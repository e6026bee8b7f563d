"""Imports interrupted part-way (a crash, or the database going) leave nothing stored.

Imports only flush; the caller's transaction (a request, a command) is the unit of work, so an
exception after some rows were written undoes all of them. The tests run each import the way
its callers do: in a transaction of its own, here a savepoint.
"""

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

import pathways.resident_import as resident_import
import pathways.vacancies as vacancies
from pathways.clock import today
from pathways.models import ConsentRecord, Resident, ResidentSkill, Role, Vacancy
from pathways.skills import sync_skill_vocabulary

ROWS = 5
PEOPLE = "Client ID,Forename,Surname,DOB,Postcode,Skills,Consent,Consent to share\n" + "".join(
    f"IF-{n},Person{n},Interrupted,0{n + 1}/03/1990,LS9 7JA,cleaning,yes,yes\n" for n in range(ROWS)
)


class Interrupted(Exception):
    """Stands for anything that stops an import half-way: a crash, a killed worker."""


def interrupt_after(monkeypatch, module, name: str, calls: int) -> None:
    """Let ``module.name`` succeed ``calls`` times, then raise Interrupted."""
    real = getattr(module, name)
    done = 0

    def wrapper(**kwargs):
        nonlocal done
        if done == calls:
            raise Interrupted(f"stopped after {calls} rows")
        done += 1
        return real(**kwargs)

    monkeypatch.setattr(module, name, wrapper)


def stored(db, model, *conditions) -> int:
    return db.exec(select(func.count()).select_from(model).where(*conditions)).one()


@pytest.fixture
def advisor(db, make_user):
    sync_skill_vocabulary(db)
    return make_user(Role.ADVISOR)


@pytest.mark.parametrize("rows_before_failure", [0, 1, ROWS - 1])
def test_resident_import_interrupted_part_way_stores_nobody(
    db, advisor, monkeypatch, rows_before_failure
):
    interrupt_after(monkeypatch, resident_import, "register_resident", rows_before_failure)
    with pytest.raises(Interrupted), db.begin_nested():
        resident_import.import_residents(session=db, advisor=advisor, data=PEOPLE)
    assert stored(db, Resident, Resident.last_name == "Interrupted") == 0
    assert stored(db, ConsentRecord) == 0
    assert stored(db, ResidentSkill) == 0
    # The file itself was fine: without the interruption every row goes in.
    monkeypatch.undo()
    with db.begin_nested():
        result = resident_import.import_residents(session=db, advisor=advisor, data=PEOPLE)
    assert len(result.created) == ROWS
    assert stored(db, Resident, Resident.last_name == "Interrupted") == ROWS


def test_resident_import_stores_nobody_when_the_database_goes_mid_file(db, advisor, database_fault):
    database_fault(r"^INSERT INTO consent_record", after=3)
    with pytest.raises(OperationalError), db.begin_nested():
        resident_import.import_residents(session=db, advisor=advisor, data=PEOPLE)
    assert stored(db, Resident, Resident.last_name == "Interrupted") == 0
    assert stored(db, ConsentRecord) == 0


@pytest.mark.parametrize("rows_before_failure", [0, 2])
def test_vacancy_import_interrupted_part_way_stores_none(
    db, catalogue, make_user, make_site, monkeypatch, rows_before_failure
):
    employer = make_user(Role.EMPLOYER)
    site = make_site(organisation_id=employer.organisation_id, name="Interrupted site")
    closing = (today() + timedelta(days=30)).isoformat()
    text = "pathway,site,title,positions,pay,closing_date\n" + "".join(
        f"hospital-porter,{site.name},Porter {n},1,24465,{closing}\n" for n in range(3)
    )
    interrupt_after(monkeypatch, vacancies, "create_vacancy", rows_before_failure)
    with pytest.raises(Interrupted), db.begin_nested():
        vacancies.import_vacancies(session=db, user=employer, data=text)
    assert stored(db, Vacancy, Vacancy.site_id == site.id) == 0
    monkeypatch.undo()
    with db.begin_nested():
        assert len(vacancies.import_vacancies(session=db, user=employer, data=text)) == 3
    assert stored(db, Vacancy, Vacancy.site_id == site.id) == 3
