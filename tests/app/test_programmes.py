"""Programme and cohort pages: set-up, enrolment within capacity, bulk progress that stores all
or nothing, the attendance register, and who may see what (names only for the provider)."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from pathways.clock import today
from pathways.models import (
    AttendanceRecord,
    AuditAction,
    AuditEvent,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    MilestoneEvent,
    MilestoneKind,
    OrganisationKind,
    Programme,
    ProgrammePathway,
    Resident,
    Role,
)
from pathways.programmes import (
    EnrolmentAction,
    EnrolmentUpdate,
    create_cohort,
    create_programme,
    enrol,
    update_enrolments_in_bulk,
)
from tests.helpers import csrf_token_from, submit

TODAY = today()
STARTS_ON = TODAY - timedelta(days=14)
ENDS_ON = TODAY + timedelta(days=28)
ENROLLED_ON = TODAY - timedelta(days=21)


def uk(day) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def advisor(login_as):
    """An advisor of the provider, signed in."""
    return login_as(Role.ADVISOR)


@pytest.fixture
def employer_org(make_organisation):
    return make_organisation(kind=OrganisationKind.NHS_TRUST)


@pytest.fixture
def programme(db, advisor, employer_org):
    return create_programme(
        session=db,
        name="Six-week employability course",
        by=advisor,
        partner_employer_id=employer_org.id,
        guaranteed_interview=True,
    )


@pytest.fixture
def make_cohort(db, programme, advisor):
    def make(name="Lincoln Green, spring", capacity=None, **dates):
        values = {"starts_on": STARTS_ON, "ends_on": ENDS_ON}
        return create_cohort(
            session=db,
            programme=programme,
            name=name,
            capacity=capacity,
            venue="Lincoln Green Community Centre",
            by=advisor,
            **(values | dates),
        )

    return make


@pytest.fixture
def enrolled(db, make_cohort, make_resident, advisor):
    """A cohort of 8 places with three residents of the advisor's caseload enrolled."""
    cohort = make_cohort(capacity=8)
    enrolments = [
        enrol(
            session=db,
            cohort=cohort,
            resident=make_resident(advisor, first_name=first),
            on=ENROLLED_ON,
            by=advisor,
        )
        for first in ("Amara", "Bilal", "Chloe")
    ]
    return cohort, enrolments


def _row(html: str, enrolment_id: int) -> str:
    """The table row of one enrolment on the cohort page."""
    match = re.search(rf'<tr class="nhsuk-table__row" id="row-{enrolment_id}">.*?</tr>', html, re.S)
    assert match, f"no row for enrolment {enrolment_id}"
    return match.group(0)


def _cohort_audit(db, cohort, action) -> list[AuditEvent]:
    return db.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "cohort",
            AuditEvent.entity_id == cohort.id,
            AuditEvent.action == action,
        )
        .order_by(AuditEvent.id)
    ).all()


def _bulk(client, cohort, ids, action, on, reason=""):
    page = f"/programmes/cohorts/{cohort.id}"
    data = {"enrolment_ids": [str(i) for i in ids], "action": action, "on": uk(on)}
    return submit(client, f"{page}/progress", data | {"reason": reason}, page=page)


def test_advisor_sets_up_a_programme_with_pathways_and_partner(
    client, db, advisor, catalogue, employer_org
):
    pathways = [catalogue["hospital-porter"].id, catalogue["ward-housekeeper"].id]
    response = submit(
        client,
        "/programmes/new",
        {
            "name": "Six-week employability course",
            "target_pathway_ids": [str(p) for p in pathways],
            "partner_employer_id": str(employer_org.id),
            "guaranteed_interview": "y",
            "duration_weeks": "6",
            "description": "Taster days on the wards, interview practice",
        },
    )
    assert response.status_code == 302
    programme = db.exec(select(Programme).where(Programme.name.startswith("Six-week"))).one()
    assert response.headers["Location"] == f"/programmes/{programme.id}"
    assert (programme.provider_organisation_id, programme.partner_employer_id) == (
        advisor.organisation_id,
        employer_org.id,
    )
    assert programme.guaranteed_interview and programme.duration_weeks == 6
    linked = db.exec(
        select(ProgrammePathway.pathway_id).where(ProgrammePathway.programme_id == programme.id)
    ).all()
    assert sorted(linked) == sorted(pathways)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hospital porter" in html and employer_org.name in html
    assert "Add a cohort" in html
    listing = client.get("/programmes/").get_data(as_text=True)
    assert "Six-week employability course" in listing and "Guaranteed interview" in listing


def test_programme_errors_are_shown_beside_the_fields(client, db, advisor):
    response = submit(client, "/programmes/new", {"name": "", "duration_weeks": "200"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    assert 'href="#name"' in html and "Enter a name" in html
    assert "Enter a length between 1 and 104 weeks" in html
    assert db.exec(select(Programme)).all() == []


def test_cohort_is_added_with_dates_venue_and_places(client, db, advisor, programme):
    url = f"/programmes/{programme.id}/cohorts/new"
    refused = submit(
        client, url, {"name": "Spring", "starts_on": uk(ENDS_ON), "ends_on": uk(STARTS_ON)}
    )
    assert refused.status_code == 200
    assert "The end date cannot be before the start date" in refused.get_data(as_text=True)
    unreadable = submit(client, url, {"name": "Spring", "starts_on": "31/02/2026", "ends_on": ""})
    html = unreadable.get_data(as_text=True)
    assert "Enter a real date, like 31/03/2026" in html and "Enter the end date" in html
    assert db.exec(select(Cohort)).all() == []

    response = submit(
        client,
        url,
        {
            "name": "Spring",
            "starts_on": uk(STARTS_ON),
            "ends_on": ENDS_ON.isoformat(),
            "venue": "Lincoln Green Community Centre",
            "capacity": "20",
        },
    )
    assert response.status_code == 302
    cohort = db.exec(select(Cohort).where(Cohort.programme_id == programme.id)).one()
    assert (cohort.starts_on, cohort.ends_on, cohort.capacity) == (STARTS_ON, ENDS_ON, 20)
    assert cohort.partner_employer_id == programme.partner_employer_id
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 of 20 places taken (20 left)" in html
    assert "Lincoln Green Community Centre" in html


def test_enrolment_from_the_caseload_refuses_a_full_cohort_and_a_second_place(
    client, db, advisor, make_cohort, make_resident
):
    cohort = make_cohort(capacity=1)
    first = make_resident(advisor, first_name="Amara")
    second = make_resident(advisor, first_name="Bilal")
    url = f"/programmes/cohorts/{cohort.id}/enrol"
    page = client.get(f"{url}?search={first.last_name}").get_data(as_text=True)
    assert f"Amara {first.last_name}" in page and second.last_name not in page

    response = submit(
        client, url, {"resident_id": str(first.id), "enrolled_on": uk(ENROLLED_ON)}, page=url
    )
    assert response.status_code == 302
    enrolment = db.exec(select(Enrolment).where(Enrolment.cohort_id == cohort.id)).one()
    assert (enrolment.resident_id, enrolment.enrolled_on) == (first.id, ENROLLED_ON)

    again = submit(client, url, {"resident_id": str(first.id), "enrolled_on": uk(TODAY)})
    html = again.get_data(as_text=True)
    assert again.status_code == 400
    assert f"This resident is already enrolled on {cohort.name}" in html
    assert 'href="#resident_id"' in html and "nhsuk-error-message" in html

    full = submit(client, url, {"resident_id": str(second.id), "enrolled_on": uk(TODAY)})
    html = full.get_data(as_text=True)
    assert full.status_code == 400
    assert "This cohort is full (1 place)" in html and "All 1 places are taken" in html
    assert len(db.exec(select(Enrolment).where(Enrolment.cohort_id == cohort.id)).all()) == 1


def test_enrol_in_a_cohort_from_the_resident_page(client, db, advisor, make_cohort, make_resident):
    running = make_cohort(capacity=10)
    finished = make_cohort(
        name="Last winter", starts_on=TODAY - timedelta(days=90), ends_on=TODAY - timedelta(days=50)
    )
    resident = make_resident(advisor)
    chooser = f"/programmes/residents/{resident.id}/enrol"
    assert chooser in client.get(f"/residents/{resident.id}").get_data(as_text=True)
    html = client.get(chooser).get_data(as_text=True)
    assert running.name in html and "10 of 10 places left" in html
    assert finished.name not in html

    response = submit(client, chooser, {"enrolled_on": uk(TODAY)})
    assert response.status_code == 400 and "Choose a cohort" in response.get_data(as_text=True)
    response = submit(client, chooser, {"cohort_id": str(finished.id), "enrolled_on": uk(TODAY)})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    response = submit(
        client,
        chooser,
        {"cohort_id": str(running.id), "enrolled_on": uk(TODAY + timedelta(days=1))},
    )
    assert "A date cannot be in the future" in response.get_data(as_text=True)
    assert db.exec(select(Enrolment)).all() == []

    response = submit(client, chooser, {"cohort_id": str(running.id), "enrolled_on": uk(TODAY)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/residents/{resident.id}"
    assert db.exec(
        select(Enrolment.cohort_id).where(Enrolment.resident_id == resident.id)
    ).all() == [running.id]


def test_bulk_change_with_a_bad_row_saves_nothing_and_marks_the_row(client, db, advisor, enrolled):
    cohort, (amara, bilal, chloe) = enrolled
    response = _bulk(client, cohort, [amara.id, bilal.id], EnrolmentAction.START, STARTS_ON)
    assert response.status_code == 302
    db.refresh(amara)
    assert amara.status == EnrolmentStatus.STARTED

    response = _bulk(
        client, cohort, [amara.id, bilal.id, chloe.id], EnrolmentAction.COMPLETE, TODAY
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1 of 3 rows could not be saved, so nothing was saved" in html
    assert "nhsuk-error-summary" in html and f'href="#enrolment-{chloe.id}"' in html
    refusal = "Only a resident who has started the programme can complete it"
    assert refusal in _row(html, chloe.id)
    assert refusal not in _row(html, amara.id) + _row(html, bilal.id)
    assert "checked" in _row(html, amara.id)
    completed = select(MilestoneEvent).where(
        MilestoneEvent.kind == MilestoneKind.PROGRAMME_COMPLETED
    )
    assert db.exec(completed).all() == []
    for enrolment in (amara, bilal):
        db.refresh(enrolment)
        assert (enrolment.status, enrolment.completed_on) == (EnrolmentStatus.STARTED, None)

    response = _bulk(client, cohort, [amara.id, bilal.id], EnrolmentAction.COMPLETE, TODAY)
    assert response.status_code == 302
    assert len(db.exec(completed).all()) == 2
    html = client.get(f"/programmes/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Completed the programme: 2 residents." in html
    assert re.search(r'data-status="completed">2<', html)
    assert [u.detail for u in _cohort_audit(db, cohort, AuditAction.UPDATE)] == [
        f"start on {STARTS_ON.isoformat()} for 2 residents",
        f"complete on {TODAY.isoformat()} for 2 residents",
    ]


def test_leaving_early_needs_a_reason_and_a_selection(client, db, advisor, enrolled):
    cohort, (amara, *_) = enrolled
    response = _bulk(client, cohort, [amara.id], EnrolmentAction.LEAVE_EARLY, TODAY)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter why they left early" in html
    response = _bulk(client, cohort, [], EnrolmentAction.START, TODAY)
    assert "Select at least one resident" in response.get_data(as_text=True)

    response = _bulk(
        client, cohort, [amara.id], EnrolmentAction.LEAVE_EARLY, TODAY, reason="Caring for her mum"
    )
    assert response.status_code == 302
    db.refresh(amara)
    assert amara.status == EnrolmentStatus.LEFT_EARLY
    event = db.exec(
        select(MilestoneEvent).where(MilestoneEvent.kind == MilestoneKind.PROGRAMME_LEFT_EARLY)
    ).one()
    assert (event.enrolment_id, event.note) == (amara.id, "Caring for her mum")
    html = client.get(f"/programmes/cohorts/{cohort.id}").get_data(as_text=True)
    assert "2 of 8 places taken (6 left)" in html


def test_attendance_register_for_a_session(client, db, advisor, enrolled):
    cohort, (amara, bilal, chloe) = enrolled
    url = f"/programmes/cohorts/{cohort.id}/attendance"
    future = submit(
        client, url, {"session_on": uk(TODAY + timedelta(days=1)), "attended": [str(amara.id)]}
    )
    html = future.get_data(as_text=True)
    assert future.status_code == 400
    assert "A date cannot be in the future" in html and 'href="#session_on"' in html
    assert db.exec(select(AttendanceRecord)).all() == []

    response = submit(
        client, url, {"session_on": uk(STARTS_ON), "attended": [str(amara.id), str(bilal.id)]}
    )
    assert response.status_code == 302
    records = db.exec(select(AttendanceRecord).order_by(AttendanceRecord.enrolment_id)).all()
    assert [(r.enrolment_id, r.attended) for r in records] == [
        (amara.id, True),
        (bilal.id, True),
        (chloe.id, False),
    ]
    for enrolment in (amara, chloe):
        db.refresh(enrolment)
    assert (amara.status, chloe.status) == (EnrolmentStatus.STARTED, EnrolmentStatus.ENROLLED)

    page = client.get(f"{url}?on={uk(STARTS_ON)}").get_data(as_text=True)
    assert re.search(rf'value="{amara.id}" checked', page)
    assert not re.search(rf'value="{chloe.id}" checked', page)
    cohort_page = client.get(f"/programmes/cohorts/{cohort.id}").get_data(as_text=True)
    assert "1 session recorded;" in cohort_page
    assert "2 of 3 places attended (67%)" in cohort_page
    assert "1 of 1 sessions" in _row(cohort_page, amara.id)
    assert "0 of 1 sessions" in _row(cohort_page, chloe.id)


def test_attendance_row_errors_are_shown_next_to_the_row(client, db, advisor, enrolled):
    cohort, (amara, _, chloe) = enrolled
    # Chloe enrolled after the session, so her row alone is refused and nothing is stored.
    late = db.get(Enrolment, chloe.id)
    late.enrolled_on = STARTS_ON + timedelta(days=2)
    db.add(late)
    db.flush()
    url = f"/programmes/cohorts/{cohort.id}/attendance"
    response = submit(client, url, {"session_on": uk(STARTS_ON), "attended": [str(amara.id)]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1 of 3 rows could not be saved" in html
    assert f'href="#attended-{chloe.id}"' in html
    assert "A session cannot be before the resident enrolled" in html
    assert db.exec(select(AttendanceRecord)).all() == []


def test_another_providers_advisor_is_refused_and_missing_records_are_404(
    client, db, login_as, enrolled, programme, make_resident, make_user
):
    cohort, (amara, *_) = enrolled
    submit(client, "/sign-out", {})
    other = login_as(Role.ADVISOR)
    cohort_url = f"/programmes/cohorts/{cohort.id}"
    for url in (
        f"/programmes/{programme.id}",
        f"/programmes/{programme.id}/cohorts/new",
        cohort_url,
        f"{cohort_url}/enrol",
        f"{cohort_url}/attendance",
    ):
        assert client.get(url).status_code == 403, url
    token = csrf_token_from(client.get("/programmes/new").get_data(as_text=True))
    bulk = {"enrolment_ids": str(amara.id), "action": "start", "on": uk(TODAY)}
    response = client.post(f"{cohort_url}/progress", data=bulk | {"csrf_token": token})
    assert response.status_code == 403
    assert client.get("/programmes/").get_data(as_text=True).count(programme.name) == 0
    for url in ("/programmes/999999", "/programmes/cohorts/999999"):
        assert client.get(url).status_code == 404
    someone_elses = make_resident(make_user(Role.ADVISOR))
    assert client.get(f"/programmes/residents/{someone_elses.id}/enrol").status_code == 404
    mine = make_resident(other)
    html = client.get(f"/programmes/residents/{mine.id}/enrol").get_data(as_text=True)
    assert cohort.name not in html and "no cohorts that are still running" in html
    db.refresh(amara)
    assert amara.status == EnrolmentStatus.ENROLLED


def test_programme_lead_sees_counts_but_no_names_and_cannot_change_anything(
    client, db, login_as, enrolled, programme, advisor
):
    cohort, enrolments = enrolled
    update_enrolments_in_bulk(
        session=db,
        cohort=cohort,
        action=EnrolmentAction.START,
        rows=[EnrolmentUpdate(e.id, STARTS_ON) for e in enrolments[:2]],
        by=advisor,
    )
    surnames = [db.get(Resident, e.resident_id).last_name for e in enrolments]
    submit(client, "/sign-out", {})
    login_as(Role.PROGRAMME_LEAD)
    listing = client.get("/programmes/").get_data(as_text=True)
    assert programme.name in listing and "Set up a programme" not in listing
    html = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert cohort.name in html and "Add a cohort" not in html
    response = client.get(f"/programmes/cohorts/{cohort.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'data-status="started">2<', html)
    assert re.search(r'data-status="enrolled">1<', html)
    assert "3 of 8 places taken (5 left)" in html
    assert not [surname for surname in surnames if surname in html]
    assert "enrolment_ids" not in html and "Enrol residents" not in html
    for url in (
        "/programmes/new",
        f"/programmes/{programme.id}/cohorts/new",
        f"/programmes/cohorts/{cohort.id}/enrol",
        f"/programmes/cohorts/{cohort.id}/attendance",
    ):
        assert client.get(url).status_code == 403, url
    token = csrf_token_from(client.get("/sign-out").get_data(as_text=True))
    response = client.post(
        f"/programmes/cohorts/{cohort.id}/progress",
        data={
            "enrolment_ids": str(enrolments[2].id),
            "action": "start",
            "on": uk(TODAY),
            "csrf_token": token,
        },
    )
    assert response.status_code == 403
    db.refresh(enrolments[2])
    assert enrolments[2].status == EnrolmentStatus.ENROLLED


def test_employers_even_partners_have_no_programme_pages(
    client, login_as, enrolled, programme, employer_org
):
    cohort, _ = enrolled
    submit(client, "/sign-out", {})
    login_as(Role.EMPLOYER, organisation=employer_org)
    for url in ("/programmes/", f"/programmes/{programme.id}", f"/programmes/cohorts/{cohort.id}"):
        response = client.get(url)
        assert response.status_code == 403, url
    assert "/programmes/" not in client.get("/").get_data(as_text=True)


def test_every_form_carries_a_csrf_token_and_a_post_without_one_is_refused(
    client, db, advisor, enrolled, programme, make_resident
):
    cohort, (amara, *_) = enrolled
    resident = make_resident(advisor)
    for url in (
        "/programmes/new",
        f"/programmes/{programme.id}/cohorts/new",
        f"/programmes/cohorts/{cohort.id}",
        f"/programmes/cohorts/{cohort.id}/enrol",
        f"/programmes/cohorts/{cohort.id}/attendance",
        f"/programmes/residents/{resident.id}/enrol",
    ):
        assert csrf_token_from(client.get(url).get_data(as_text=True)), url
    response = client.post(
        f"/programmes/cohorts/{cohort.id}/progress",
        data={"enrolment_ids": str(amara.id), "action": "start", "on": uk(STARTS_ON)},
    )
    assert response.status_code == 400
    response = client.post("/programmes/new", data={"name": "No token"})
    assert response.status_code == 400 and "CSRF token is missing" in response.get_data(
        as_text=True
    )
    db.refresh(amara)
    assert amara.status == EnrolmentStatus.ENROLLED
    assert db.exec(select(Programme).where(Programme.name == "No token")).all() == []


def test_viewing_a_cohorts_residents_is_audited(client, db, advisor, enrolled):
    cohort, _ = enrolled
    client.get(f"/programmes/cohorts/{cohort.id}")
    assert [(v.user_id, v.detail) for v in _cohort_audit(db, cohort, AuditAction.VIEW)] == [
        (advisor.id, "viewed the cohort's residents")
    ]


def test_a_lone_residents_refusal_stays_on_their_row(client, db, advisor, enrolled):
    """With one person on the register, their own refusal is still theirs, not the date's."""
    cohort, (amara, bilal, chloe) = enrolled
    for other in (amara, bilal):
        db.delete(db.get(Enrolment, other.id))
    late = db.get(Enrolment, chloe.id)
    late.enrolled_on = STARTS_ON + timedelta(days=2)
    db.add(late)
    db.flush()
    url = f"/programmes/cohorts/{cohort.id}/attendance"
    response = submit(client, url, {"session_on": uk(STARTS_ON), "attended": [str(chloe.id)]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1 of 1 rows could not be saved" in html
    assert f'href="#attended-{chloe.id}"' in html and 'href="#session_on"' not in html
