"""Application pages: every allowed move through the browser, refusals, conflicts, permissions."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from pathways.clock import now_utc, today
from pathways.models import (
    Application,
    ApplicationStage,
    AuditEvent,
    MilestoneEvent,
    MilestoneKind,
    Organisation,
    Role,
    Vacancy,
)
from pathways.progress import shortlist
from tests.helpers import TEST_PASSWORD, csrf_token_from, submit

Stage = ApplicationStage


@pytest.fixture
def employer(login_as):
    return login_as(Role.EMPLOYER)


@pytest.fixture
def advisor(make_user):
    return make_user(Role.ADVISOR)


@pytest.fixture
def vacancy(employer, make_site, make_vacancy):
    site = make_site(organisation_id=employer.organisation_id, name="St James's")
    return make_vacancy(site=site, title="Porter, St James's", hours_per_week=37.5)


@pytest.fixture
def application(db, advisor, make_resident, vacancy):
    """A referral made ten days ago of a resident who shares their details."""
    resident = make_resident(advisor, share=True, first_name="Sharon", last_name="Okafor")
    application = Application(
        resident_id=resident.id,
        vacancy_id=vacancy.id,
        referred_at=now_utc() - timedelta(days=10),
        referred_by_id=advisor.id,
    )
    db.add(application)
    db.flush()
    return application


def page_of(client, application) -> str:
    return client.get(f"/applications/{application.id}").get_data(as_text=True)


def post_move(client, application, move: str, fields: dict | None = None, *, version=None):
    """Post one move's form as the browser would, with the version shown on the page."""
    page = page_of(client, application)
    prefix = move.replace("checks/", "check-")
    if version is None:
        shown = re.search(rf'name="{prefix}-version" type="hidden" value="(\d+)"', page)
        assert shown, f"the page offers no {move} form"
        version = shown.group(1)
    data = {f"{prefix}-{name}": value for name, value in (fields or {}).items()}
    data |= {f"{prefix}-csrf_token": csrf_token_from(page), f"{prefix}-version": version}
    return client.post(f"/applications/{application.id}/{move}", data=data)


def application_site(db, application) -> int:
    return db.get(Vacancy, application.vacancy_id).site_id


def stage_of(db, application) -> Stage:
    db.refresh(application)
    return application.stage


def days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


def test_every_allowed_move_through_the_pages(client, db, employer, application, vacancy):
    page = page_of(client, application)
    assert f"Candidate R{application.resident_id:05d}" in page and "Sharon" not in page
    assert 'id="move-shortlist"' in page and 'id="move-offer"' not in page

    assert post_move(client, application, "shortlist").status_code == 302
    assert stage_of(db, application) == Stage.SHORTLISTED

    interview = {"interview_at": days_ago(5), "interview_time": "14:30"}
    assert post_move(client, application, "interview", interview).status_code == 302
    assert stage_of(db, application) == Stage.INTERVIEW
    # 14:30 in the UK is stored in UTC; the page shows it in UK time again.
    page = page_of(client, application)
    assert "Sharon Okafor" in page and "at 14:30 (UK time)" in page

    assert post_move(client, application, "offer", {"on": days_ago(4)}).status_code == 302
    assert post_move(client, application, "checks").status_code == 302
    assert stage_of(db, application) == Stage.CHECKS
    for kind in ("dbs", "occupational_health", "references", "right_to_work"):
        response = post_move(
            client, application, f"checks/{kind}", {"status": "cleared", "on": days_ago(2)}
        )
        assert response.status_code == 302, kind
    page = page_of(client, application)
    assert page.count('<td class="nhsuk-table__cell">Cleared</td>') == 4
    # The start form's defaults come from the vacancy.
    assert 'name="job-hours_per_week" type="text" value="37.5"' in page

    fields = {"on": days_ago(1), "site_id": vacancy.site_id, "pathway_id": vacancy.pathway_id}
    fields |= {"hours_per_week": "30", "annual_pay": "24465", "pay_band": "Band 2"}
    assert post_move(client, application, "job", fields).status_code == 302
    assert stage_of(db, application) == Stage.JOB_STARTED
    kinds = db.exec(
        select(MilestoneEvent.kind).where(MilestoneEvent.application_id == application.id)
    ).all()
    assert sorted(kinds) == sorted(
        [MilestoneKind.INTERVIEW, MilestoneKind.OFFER, MilestoneKind.JOB_STARTED]
    )
    start = db.exec(
        select(MilestoneEvent).where(MilestoneEvent.kind == MilestoneKind.JOB_STARTED)
    ).one()
    assert (start.hours_per_week, start.annual_pay, start.pay_band) == (30, 24465, "Band 2")
    assert "The resident has started work" in page_of(client, application)
    audited = db.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "application", AuditEvent.entity_id == application.id
        )
    ).all()
    assert len([a for a in audited if a.detail.startswith("Moved from")]) == 5


@pytest.mark.parametrize("outcome", ["unsuccessful", "withdrawn"])
def test_closing_with_a_reason(client, db, employer, application, outcome):
    fields = {"outcome": outcome, "reason": "other", "note": "Moved to Bradford"}
    assert post_move(client, application, "close", fields).status_code == 302
    db.refresh(application)
    assert application.stage == Stage(outcome)
    assert application.closing_note == "Moved to Bradford"
    assert 'id="move-' not in page_of(client, application)


def test_refused_moves_show_the_domain_message(client, db, employer, application):
    # An offer before any interview: not offered on the page, refused if posted anyway.
    response = post_move(client, application, "offer", {"on": days_ago(1)}, version=1)
    assert response.status_code == 400
    assert "An offer can only be made after an interview" in response.get_data(as_text=True)
    assert stage_of(db, application) == Stage.REFERRED

    # 'Other' needs a note: the message sits beside the note field.
    response = post_move(client, application, "close", {"outcome": "withdrawn", "reason": "other"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(
        r'id="close-note-error"[^>]*>\s*<span[^>]*>Error:\s*</span>Enter the reason', page
    )
    assert stage_of(db, application) == Stage.REFERRED


def test_an_interview_before_the_referral_is_refused_beside_the_date(
    client, db, employer, application
):
    post_move(client, application, "shortlist")
    fields = {"interview_at": days_ago(30), "interview_time": "09:00"}
    response = post_move(client, application, "interview", fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="interview-interview_at-error"' in page
    assert "cannot be before the referral" in page
    assert stage_of(db, application) == Stage.SHORTLISTED


def test_a_site_of_another_employer_is_refused(client, db, employer, application, make_site):
    for move, fields in [
        ("shortlist", {}),
        ("interview", {"interview_at": days_ago(5), "interview_time": "10:00"}),
        ("offer", {"on": days_ago(4)}),
        ("checks", {}),
    ] + [
        (f"checks/{k}", {"status": "cleared", "on": days_ago(2)})
        for k in ("dbs", "occupational_health", "references", "right_to_work")
    ]:
        assert post_move(client, application, move, fields).status_code == 302, move
    elsewhere = make_site(name="Somewhere else")
    page = page_of(client, application)
    site_choices = re.search(r'id="job-site_id".*?</select>', page, re.DOTALL).group(0)
    assert f'value="{elsewhere.id}"' not in site_choices  # only the employer's own sites
    assert f'value="{application_site(db, application)}"' in site_choices
    # A forged choice is refused by the form before the domain sees it.
    response = post_move(client, application, "job", {"on": days_ago(1), "site_id": elsewhere.id})
    assert response.status_code == 400
    assert stage_of(db, application) == Stage.CHECKS


def test_a_stale_version_gets_the_conflict_message(client, db, employer, application):
    page = page_of(client, application)
    token = csrf_token_from(page)
    # Someone else shortlists it after this page was loaded.
    shortlist(session=db, application=application, expected_version=1, by=employer)
    db.flush()
    response = client.post(
        f"/applications/{application.id}/shortlist",
        data={"shortlist-csrf_token": token, "shortlist-version": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else moved this application" in page
    assert "Reload this application" in page
    db.refresh(application)
    assert (application.stage, application.version) == (Stage.SHORTLISTED, 2)


def test_employer_list_is_scoped_and_filtered(
    client, db, employer, application, advisor, make_resident, make_vacancy, make_site
):
    other_vacancy = make_vacancy(title="Another trust's porter")  # another organisation
    stranger = make_resident(advisor, share=True)
    db.add(Application(resident_id=stranger.id, vacancy_id=other_vacancy.id))
    private = make_resident(advisor, share=False)
    db.add(Application(resident_id=private.id, vacancy_id=application.vacancy_id))
    db.flush()
    page = client.get("/applications/").get_data(as_text=True)
    assert page.count("data-application=") == 1
    assert f'data-application="{application.id}"' in page
    assert "1 application<" in page
    filtered = client.get("/applications/?stage=shortlisted").get_data(as_text=True)
    assert "data-application=" not in filtered and "No applications match" in filtered


def signed_in(app, user):
    """A separate browser signed in as this user."""
    client = app.test_client()
    response = submit(client, "/sign-in", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def test_permissions(app, client, db, employer, application, advisor, make_user):
    # Another employer cannot see it; an advisor from elsewhere cannot either.
    other_employer = signed_in(app, make_user(Role.EMPLOYER))
    assert other_employer.get(f"/applications/{application.id}").status_code == 404
    token = csrf_token_from(other_employer.get("/account/password").get_data(as_text=True))
    response = other_employer.post(
        f"/applications/{application.id}/shortlist",
        data={"shortlist-csrf_token": token, "shortlist-version": "1"},
    )
    assert response.status_code == 404
    other_advisor = signed_in(app, make_user(Role.ADVISOR))
    assert other_advisor.get(f"/applications/{application.id}").status_code == 404
    assert other_advisor.get(f"/residents/{application.resident_id}/progress").status_code == 404

    # The resident's own organisation's advisor sees it read-only and cannot move it.
    colleague = signed_in(
        app, make_user(Role.ADVISOR, organisation=db.get(Organisation, advisor.organisation_id))
    )
    page = page_of(colleague, application)
    assert "Sharon Okafor" in page and "Only the employer moves this application" in page
    assert 'id="move-' not in page
    progress_page = colleague.get(f"/residents/{application.resident_id}/progress")
    progress_page = progress_page.get_data(as_text=True)
    assert f'href="/applications/{application.id}"' in progress_page
    response = colleague.post(
        f"/applications/{application.id}/shortlist",
        data={
            "shortlist-csrf_token": csrf_token_from(progress_page),
            "shortlist-version": "1",
        },
    )
    assert response.status_code == 403
    assert stage_of(db, application) == Stage.REFERRED


def test_a_move_without_the_csrf_token_is_refused(client, db, employer, application):
    response = client.post(
        f"/applications/{application.id}/shortlist", data={"shortlist-version": "1"}
    )
    assert response.status_code == 400
    assert stage_of(db, application) == Stage.REFERRED
