"""A resident's progress page: recording milestones, corrections that supersede, refusals."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from pathways.clock import today
from pathways.models import (
    Evidence,
    MilestoneEvent,
    MilestoneKind,
    OrganisationKind,
    ProgressionKind,
    Role,
)
from pathways.progress import record_job_start
from tests.helpers import csrf_token_from


@pytest.fixture
def advisor(login_as):
    return login_as(Role.ADVISOR)


@pytest.fixture
def resident(make_resident, advisor):
    return make_resident(advisor, first_name="Dwayne", last_name="Mensah")


@pytest.fixture
def trust_site(make_organisation, make_site):
    trust = make_organisation(name="Leeds Teaching Hospitals test", kind=OrganisationKind.NHS_TRUST)
    return make_site(organisation_id=trust.id, name="St James's test")


@pytest.fixture
def hired(db, resident, advisor, trust_site):
    """A job found outside the service, started 100 days ago: past its 13-week check."""
    return record_job_start(
        session=db,
        resident=resident,
        on=today() - timedelta(days=100),
        employer_id=trust_site.organisation_id,
        site_id=trust_site.id,
        hours_per_week=37.5,
        by=advisor,
    )


def progress_url(resident) -> str:
    return f"/residents/{resident.id}/progress"


def record(client, resident, kind: str, fields: dict):
    """Post one of the progress page's forms with its prefix, as the browser does."""
    page = client.get(progress_url(resident)).get_data(as_text=True)
    data = {f"{kind}-{name}": value for name, value in fields.items()}
    data[f"{kind}-csrf_token"] = csrf_token_from(page)
    return client.post(f"{progress_url(resident)}/{kind}", data=data)


def events_of(db, resident, kind: MilestoneKind) -> list[MilestoneEvent]:
    db.expire_all()
    return list(
        db.exec(
            select(MilestoneEvent)
            .where(MilestoneEvent.resident_id == resident.id, MilestoneEvent.kind == kind)
            .order_by(MilestoneEvent.id)
        )
    )


def test_recording_a_job_start_and_its_refusals(client, db, resident, trust_site, make_site):
    started = today() - timedelta(days=20)
    fields = {
        "employer_id": trust_site.organisation_id,
        "occurred_on": started.isoformat(),
        "evidence": "employer_confirmed",
        "site_id": trust_site.id,
        "pathway_id": 0,
        "hours_per_week": "22.5",
        "hourly_pay": "12.71",
    }
    # A date in the future is refused beside the date field, and nothing is stored.
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = record(client, resident, "job-start", fields | {"occurred_on": tomorrow})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(
        r'id="job-start-occurred_on-error"[^>]*>\s*<span[^>]*>Error:\s*</span>'
        r"Enter today&#39;s date or a date in the past",
        page,
    )
    assert events_of(db, resident, MilestoneKind.JOB_STARTED) == []

    # A site that is not the employer's is refused beside the site field.
    elsewhere = make_site(name="Not the trust's")
    response = record(client, resident, "job-start", fields | {"site_id": elsewhere.id})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="job-start-site_id-error"' in page and "one of the employer&#39;s own sites" in page
    assert events_of(db, resident, MilestoneKind.JOB_STARTED) == []

    assert record(client, resident, "job-start", fields).status_code == 302
    [start] = events_of(db, resident, MilestoneKind.JOB_STARTED)
    assert (start.occurred_on, start.site_id, start.hours_per_week, start.hourly_pay) == (
        started,
        trust_site.id,
        22.5,
        12.71,
    )
    assert start.evidence == Evidence.EMPLOYER_CONFIRMED
    page = client.get(progress_url(resident)).get_data(as_text=True)
    assert "22.5 hours a week, £12.71 an hour" in page


def test_sustainment_left_job_and_progression(client, db, resident, hired):
    thirteen_weeks = hired.occurred_on + timedelta(weeks=13)
    check = {
        "job_start_id": hired.id,
        "weeks_after_start": 13,
        "occurred_on": thirteen_weeks.isoformat(),
        "evidence": "self_reported",
    }
    # Not yet known is recorded, and a known answer then supersedes it.
    response = record(client, resident, "sustainment", check | {"in_work": "unknown"})
    assert response.status_code == 302
    assert record(client, resident, "sustainment", check | {"in_work": "yes"}).status_code == 302
    unknown, known = events_of(db, resident, MilestoneKind.SUSTAINMENT_CHECK)
    assert (unknown.in_work, unknown.superseded_by_id) == (None, known.id)
    assert (known.in_work, known.superseded_by_id) == (True, None)

    # The 26-week check is not due yet: refused with the date it falls due.
    early = check | {"weeks_after_start": 26, "in_work": "yes"}
    response = record(client, resident, "sustainment", early)
    assert response.status_code == 400
    due = hired.occurred_on + timedelta(weeks=26)
    assert f"not due until {due.day} {due:%B %Y}" in response.get_data(as_text=True)

    progressed_on = (today() - timedelta(days=3)).isoformat()
    progression = {
        "job_start_id": hired.id,
        "progression_kind": "band_change",
        "occurred_on": progressed_on,
        "evidence": "self_reported",
        "site_id": 0,
        "pathway_id": 0,
        "pay_band": "Band 3",
    }
    assert record(client, resident, "progression", progression).status_code == 302
    [progressed] = events_of(db, resident, MilestoneKind.PROGRESSED)
    assert (progressed.progression_kind, progressed.pay_band) == (
        ProgressionKind.BAND_CHANGE,
        "Band 3",
    )
    left = {
        "job_start_id": hired.id,
        "occurred_on": today().isoformat(),
        "evidence": "self_reported",
    }
    assert record(client, resident, "left-job", left).status_code == 302
    assert len(events_of(db, resident, MilestoneKind.LEFT_JOB)) == 1

    page = client.get(progress_url(resident)).get_data(as_text=True)
    kinds = re.findall(r'data-kind="(\w+)" data-superseded="(\w+)"', page)
    assert kinds == [
        ("job_started", "no"),
        ("sustainment_check", "yes"),
        ("sustainment_check", "no"),
        ("progressed", "no"),
        ("left_job", "no"),
    ]


def test_a_correction_supersedes_and_keeps_the_original(client, db, resident, hired):
    url = f"{progress_url(resident)}/events/{hired.id}/correct"
    page = client.get(url).get_data(as_text=True)
    assert 'value="37.5"' in page
    token = csrf_token_from(page)
    corrected_on = hired.occurred_on + timedelta(days=2)
    fields = {
        "csrf_token": token,
        "occurred_on": corrected_on.isoformat(),
        "evidence": "employer_confirmed",
        "hours_per_week": "30",
        "note": "Start date confirmed by HR",
    }
    # A future date is refused by the same rules as a new event.
    future = fields | {"occurred_on": (today() + timedelta(days=5)).isoformat()}
    response = client.post(url, data=future)
    assert response.status_code == 400
    assert "Enter today&#39;s date or a date in the past" in response.get_data(as_text=True)
    assert len(events_of(db, resident, MilestoneKind.JOB_STARTED)) == 1

    assert client.post(url, data=fields).status_code == 302
    original, correction = events_of(db, resident, MilestoneKind.JOB_STARTED)
    assert original.id == hired.id and original.superseded_by_id == correction.id
    assert (original.occurred_on, original.hours_per_week) == (hired.occurred_on, 37.5)
    assert (correction.occurred_on, correction.hours_per_week) == (corrected_on, 30)
    assert correction.note == "Start date confirmed by HR"
    assert correction.site_id == original.site_id  # what was not corrected is carried over

    page = client.get(progress_url(resident)).get_data(as_text=True)
    assert re.findall(
        r'data-event="(\d+)" data-kind="job_started" data-superseded="(\w+)"', page
    ) == [
        (str(original.id), "yes"),
        (str(correction.id), "no"),
    ]
    assert "Superseded" in page
    # Correcting the superseded version leads to the latest one instead.
    response = client.get(url)
    assert response.status_code == 302
    assert response.location.endswith(f"/events/{correction.id}/correct")


def test_the_due_list_link_preselects_the_check(client, resident, hired):
    page = client.get(f"{progress_url(resident)}?job_start={hired.id}&weeks=52").get_data(
        as_text=True
    )
    weeks = re.search(r'id="sustainment-weeks_after_start".*?</select>', page, re.DOTALL).group(0)
    assert re.search(r'value="52"\s+selected', weeks)


def test_only_the_residents_advisors(app, db, resident, hired, make_user):
    from tests.helpers import TEST_PASSWORD, submit

    for role in (Role.ADVISOR, Role.EMPLOYER):
        other = app.test_client()
        user = make_user(role)
        submit(other, "/sign-in", {"email": user.email, "password": TEST_PASSWORD})
        expected = 404 if role == Role.ADVISOR else 403
        assert other.get(progress_url(resident)).status_code == expected
        correct_url = f"{progress_url(resident)}/events/{hired.id}/correct"
        assert other.get(correct_url).status_code == expected
