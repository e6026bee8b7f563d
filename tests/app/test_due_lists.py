"""Due lists on a frozen clock: an advisor's checks due this week and overdue, per cohort and
resident; an employer's bulk confirmation, where one bad row means nothing is stored."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pathways.models import (
    Cohort,
    Enrolment,
    MilestoneEvent,
    MilestoneKind,
    Organisation,
    Programme,
    Role,
)
from pathways.progress import record_job_start
from tests.helpers import csrf_token_from

# Wednesday 11 February 2026: this week runs from Monday 9 to Sunday 15 February.
TODAY = date(2026, 2, 11)
THIRTEEN_WEEKS = timedelta(weeks=13)


@pytest.fixture(autouse=True)
def clock():
    with freeze_time(datetime(2026, 2, 11, 12, 0, tzinfo=UTC)) as frozen:
        yield frozen


@pytest.fixture
def trust(make_organisation):
    return make_organisation(name="St James's test trust")


def hire(db, resident, advisor, employer_id: int, *, due_on: date) -> MilestoneEvent:
    """A job start whose 13-week check falls due on ``due_on``."""
    return record_job_start(
        session=db,
        resident=resident,
        on=due_on - THIRTEEN_WEEKS,
        employer_id=employer_id,
        by=advisor,
    )


def test_advisor_sees_due_and_overdue_per_cohort_and_resident(
    client, db, login_as, make_resident, make_user, trust
):
    advisor = login_as(Role.ADVISOR)
    on_cohort = make_resident(advisor, first_name="Amira", last_name="Ali")
    overdue = make_resident(advisor, first_name="Ben", last_name="Brook")
    next_week = make_resident(advisor, first_name="Cara", last_name="Cole")
    colleague = make_user(Role.ADVISOR, organisation=db.get(Organisation, advisor.organisation_id))
    colleagues_resident = make_resident(colleague, first_name="Dev", last_name="Das")
    hire(db, on_cohort, advisor, trust.id, due_on=date(2026, 2, 13))  # Friday: due
    hire(db, overdue, advisor, trust.id, due_on=date(2026, 1, 27))  # 15 days ago: overdue
    hire(db, next_week, advisor, trust.id, due_on=date(2026, 2, 16))  # next Monday: not yet
    hire(db, colleagues_resident, colleague, trust.id, due_on=date(2026, 1, 28))  # 14 days: due
    programme = Programme(name="Six-week course", provider_organisation_id=advisor.organisation_id)
    db.add(programme)
    db.flush()
    cohort = Cohort(
        programme_id=programme.id,
        name="Lincoln Green autumn",
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 10, 10),
    )
    db.add(cohort)
    db.flush()
    db.add(Enrolment(resident_id=on_cohort.id, cohort_id=cohort.id, enrolled_on=date(2025, 9, 1)))
    db.flush()

    page = client.get("/due-checks").get_data(as_text=True)
    assert 'data-total="2"' in page and 'data-overdue="1"' in page
    groups = re.findall(r'data-cohort="(\w+)"', page)
    assert groups == [str(cohort.id), "none"]
    rows = re.findall(r'data-resident="(\d+)" data-weeks="(\d+)" data-state="(\w+)"', page)
    assert rows == [(str(on_cohort.id), "13", "due"), (str(overdue.id), "13", "overdue")]
    assert "Cara" not in page and "Dev" not in page
    link = f"/residents/{on_cohort.id}/progress?job_start="
    assert link in page and "weeks=13#sustainment" in page

    everyone = client.get("/due-checks?whose=all").get_data(as_text=True)
    assert 'data-total="3"' in everyone and 'data-overdue="1"' in everyone
    assert f'data-resident="{colleagues_resident.id}" data-weeks="13" data-state="due"' in everyone


def test_recording_the_check_removes_it_but_not_yet_known_does_not(
    client, db, login_as, make_resident, trust
):
    advisor = login_as(Role.ADVISOR)
    resident = make_resident(advisor)
    start = hire(db, resident, advisor, trust.id, due_on=date(2026, 2, 9))
    page = client.get(f"/residents/{resident.id}/progress").get_data(as_text=True)
    fields = {
        "sustainment-csrf_token": re.search(
            r'name="sustainment-csrf_token" type="hidden" value="([^"]+)"', page
        ).group(1),
        "sustainment-job_start_id": start.id,
        "sustainment-weeks_after_start": 13,
        "sustainment-occurred_on": TODAY.isoformat(),
        "sustainment-evidence": "self_reported",
    }
    url = f"/residents/{resident.id}/progress/sustainment"
    assert client.post(url, data=fields | {"sustainment-in_work": "unknown"}).status_code == 302
    assert 'data-total="1"' in client.get("/due-checks").get_data(as_text=True)
    assert client.post(url, data=fields | {"sustainment-in_work": "no"}).status_code == 302
    assert 'data-total="0"' in client.get("/due-checks").get_data(as_text=True)


def test_employer_confirms_in_bulk_all_or_nothing(client, db, login_as, make_resident, make_user):
    employer = login_as(Role.EMPLOYER)
    advisor = make_user(Role.ADVISOR)
    monday = make_resident(advisor, share=True, first_name="Mona", last_name="Day")
    friday = make_resident(advisor, share=True, first_name="Fred", last_name="Ayo")
    private = make_resident(advisor, share=False, first_name="Priya", last_name="Vate")
    for resident, due_on in ((monday, date(2026, 2, 9)), (friday, date(2026, 2, 13))):
        hire(db, resident, advisor, employer.organisation_id, due_on=due_on)
    hire(db, private, advisor, employer.organisation_id, due_on=date(2026, 2, 9))

    page = client.get("/sustainment-checks").get_data(as_text=True)
    assert "Mona Day" in page and "Fred Ayo" in page and "Priya" not in page
    form = dict(
        re.findall(r'name="(rows-\d+-(?:job_start_id|weeks))" type="hidden" value="(\d+)"', page)
    )
    names = re.findall(r"<strong>([A-Z][a-z]+ [A-Z][a-z]+)</strong>", page)
    assert names == ["Mona Day", "Fred Ayo"]  # earliest due first
    data = form | {
        "csrf_token": csrf_token_from(page),
        "rows-0-answer": "yes",
        "rows-0-on": TODAY.isoformat(),
        # Friday's check is not due until the 13th, so confirming it today is refused.
        "rows-1-answer": "no",
        "rows-1-on": TODAY.isoformat(),
    }
    response = client.post("/sustainment-checks", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1 of 2 rows could not be saved, so nothing was saved" in page
    assert re.search(
        r'id="rows-1-answer-error"[^>]*>\s*<span[^>]*>Error:\s*</span>'
        r"The 13-week check is not due until 13 February 2026",
        page,
    )
    assert 'id="rows-0-answer-error"' not in page
    checks = select(MilestoneEvent).where(MilestoneEvent.kind == MilestoneKind.SUSTAINMENT_CHECK)
    assert db.exec(checks).all() == []

    # Leave Friday's row for now: Monday's alone is saved, confirmed by the employer.
    response = client.post("/sustainment-checks", data=data | {"rows-1-answer": ""})
    assert response.status_code == 302
    [saved] = db.exec(checks).all()
    assert (saved.resident_id, saved.in_work, saved.weeks_after_start) == (monday.id, True, 13)
    assert saved.evidence.value == "employer_confirmed"
    page = client.get("/sustainment-checks").get_data(as_text=True)
    assert "Mona Day" not in page and "Fred Ayo" in page


def test_due_lists_are_for_their_roles(client, login_as):
    login_as(Role.EMPLOYER)
    assert client.get("/due-checks").status_code == 403
    assert client.get("/sustainment-checks").status_code == 200


def test_bulk_rows_name_the_job_recorded_with_the_start(
    client, db, login_as, make_resident, make_user, catalogue
):
    employer = login_as(Role.EMPLOYER)
    advisor = make_user(Role.ADVISOR)
    porter = next(p for p in catalogue.values() if "porter" in p.title.lower())
    named = make_resident(advisor, share=True, first_name="Nia", last_name="Named")
    unnamed = make_resident(advisor, share=True, first_name="Una", last_name="Unnamed")
    record_job_start(
        session=db,
        resident=named,
        on=date(2026, 2, 9) - THIRTEEN_WEEKS,
        employer_id=employer.organisation_id,
        by=advisor,
        pathway_id=porter.id,
    )
    hire(db, unnamed, advisor, employer.organisation_id, due_on=date(2026, 2, 10))

    page = client.get("/sustainment-checks").get_data(as_text=True)
    jobs = re.findall(r'<span class="nhsuk-body-s">([^<,]+), started', page)
    assert jobs == [porter.title, "Job"]
