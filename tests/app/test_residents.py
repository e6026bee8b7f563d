"""Advisors' resident pages: registration with errors beside fields, duplicates, caseload,
consent, notes, import, export, erasure and merging; other organisations' residents are 404."""

import io
import json
from datetime import date

from sqlmodel import select

from pathways.models import (
    Application,
    AuditAction,
    AuditEvent,
    ConsentKind,
    MilestoneEvent,
    MilestoneKind,
    Pathway,
    PathwayKind,
    Resident,
    Role,
    Vacancy,
)
from pathways.permissions import can_view_resident
from pathways.skills import sync_skill_vocabulary
from tests.helpers import csrf_token_from, submit

VALID = {
    "first_name": "Aisha",
    "last_name": "Begum",
    "date_of_birth": "31/03/1990",
    "postcode": "ls9 7ja",
    "english_level": "3",
    "maths_level": "2",
    "highest_qualification_level": "2",
    "consent_to_hold_data": "y",
}


def test_registration_resolves_the_postcode_and_shows_the_priority_area(client, login_as, db):
    sync_skill_vocabulary(db)
    advisor = login_as(Role.ADVISOR)
    response = submit(
        client,
        "/residents/new",
        VALID
        | {
            "typed_skills": "tills, cleaning",
            "skills": ["customer service"],
            "share_with_employers": "y",
        },
    )
    assert response.status_code == 302
    resident = db.exec(select(Resident).where(Resident.advisor_id == advisor.id)).one()
    assert (resident.postcode, resident.imd_decile, resident.priority_area) == (
        "LS9 7JA",
        1,
        "Lincoln Green",
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lincoln Green (priority area)" in html
    assert "cash handling, cleaning, customer service" in html
    assert "Withdraw share with employers" in html


def test_validation_errors_are_shown_beside_the_fields_and_nothing_is_saved(client, login_as, db):
    login_as(Role.ADVISOR)
    response = submit(
        client,
        "/residents/new",
        VALID
        | {
            "date_of_birth": "01/01/2020",
            "postcode": "nonsense",
            "email": "not-an-email",
            "consent_to_hold_data": "",
            "typed_skills": "stok control",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    for message in (
        "The resident must be 16 or over",
        "Enter a full UK postcode, like LS9 7JA",
        "Enter an email address in the correct format",
        "Did you mean: stock control?",
    ):
        assert message in html
    # Beside the field: the NHS.UK error message sits inside the field's error group.
    assert 'id="postcode-error"' in html and 'id="date_of_birth-error"' in html
    assert not db.exec(select(Resident)).all()


def test_outside_the_data_is_accepted_and_marked_no_deprivation_data(client, login_as):
    login_as(Role.ADVISOR)
    response = submit(
        client, "/residents/new", VALID | {"postcode": "SW1A 1AA"}, follow_redirects=True
    )
    assert "No deprivation data" in response.get_data(as_text=True)


def test_a_likely_duplicate_is_shown_and_must_be_confirmed(client, login_as, make_resident, db):
    advisor = login_as(Role.ADVISOR)
    existing = make_resident(
        advisor, first_name="Aisha", last_name="Begum", date_of_birth=date(1990, 3, 31)
    )
    response = submit(client, "/residents/new", VALID | {"first_name": "Aysha"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This person may already be registered" in html
    assert f'href="/residents/{existing.id}"' in html
    assert len(db.exec(select(Resident)).all()) == 1
    confirmed = submit(
        client, "/residents/new", VALID | {"first_name": "Aysha", "register_anyway": "y"}
    )
    assert confirmed.status_code == 302
    assert len(db.exec(select(Resident)).all()) == 2


def test_caseload_searches_filters_and_keeps_other_advisors_out(
    client, login_as, make_resident, make_user
):
    advisor = login_as(Role.ADVISOR)
    make_resident(advisor, first_name="Aisha", last_name="Begum", postcode="LS9 7JA")
    make_resident(advisor, first_name="Claire", last_name="Wood", postcode="LS21 2LY")
    make_resident(make_user(Role.ADVISOR), first_name="Hidden", last_name="Person")
    html = client.get("/residents/").get_data(as_text=True)
    assert "Aisha Begum" in html and "Claire Wood" in html and "Hidden Person" not in html
    html = client.get("/residents/?search=aysha+begun").get_data(as_text=True)
    assert "Aisha Begum" in html and "Claire Wood" not in html
    html = client.get("/residents/?priority_area=any&decile=1").get_data(as_text=True)
    assert "Aisha Begum" in html and "Claire Wood" not in html
    assert "1 resident." in html


def test_another_organisations_resident_is_404(client, login_as, make_resident, make_user):
    login_as(Role.ADVISOR)
    theirs = make_resident(make_user(Role.ADVISOR))
    for path in ("", "/edit", "/export.json", "/export.csv", "/erase"):
        assert client.get(f"/residents/{theirs.id}{path}").status_code == 404


def test_notes_with_next_actions_and_marking_them_done(client, login_as, make_resident):
    advisor = login_as(Role.ADVISOR)
    resident = make_resident(advisor)
    page = f"/residents/{resident.id}"
    submit(
        client,
        f"{page}/notes",
        {"body": "Met at the hub", "next_action": "Send CV", "due_on": "28/11/2026"},
        page=page,
    )
    html = client.get(page).get_data(as_text=True)
    assert "Send CV" in html and "due 28/11/2026" in html
    due = client.get("/residents/?next_action=any_open").get_data(as_text=True)
    assert "28/11/2026" in due


def test_withdrawing_consent_hides_the_resident_from_the_employer(
    client, login_as, make_resident, make_user, make_site, db
):
    advisor = login_as(Role.ADVISOR)
    resident = make_resident(advisor, share=True)
    employer = make_user(Role.EMPLOYER)
    site = make_site(organisation_id=employer.organisation_id)
    pathway = Pathway(
        slug="porter-t", title="Porter", kind=PathwayKind.ENTRY_ROLE, staff_group="Estates"
    )
    db.add(pathway)
    db.flush()
    vacancy = Vacancy(
        organisation_id=employer.organisation_id,
        site_id=site.id,
        pathway_id=pathway.id,
        title="Porter",
        closing_date=date(2027, 1, 1),
    )
    db.add(vacancy)
    db.flush()
    db.add(Application(resident_id=resident.id, vacancy_id=vacancy.id))
    db.flush()
    assert can_view_resident(session=db, user=employer, resident=resident)
    page = f"/residents/{resident.id}"
    response = submit(
        client,
        f"{page}/consents",
        {"kind": ConsentKind.SHARE_WITH_EMPLOYERS.value, "granted": "0"},
        page=page,
    )
    assert response.status_code == 302
    assert not can_view_resident(session=db, user=employer, resident=resident)
    assert "Share with employers:</strong>\n      Withdrawn" in client.get(page).get_data(
        as_text=True
    )


def test_employers_cannot_open_resident_pages(client, login_as, make_resident):
    login_as(Role.EMPLOYER)
    assert client.get("/residents/").status_code == 403


def test_import_with_one_bad_row_stores_nothing_and_lists_the_row(client, login_as, db):
    login_as(Role.ADVISOR)
    csv_text = (
        "Forename,Surname,Date of birth,Postcode,Consent\n"
        "Aisha,Begum,31/03/1990,LS9 7JA,yes\n"
        "Bad,Row,someday,LS9 7JA,yes\n"
    )
    token = csrf_token_from(client.get("/residents/import").get_data(as_text=True))
    response = client.post(
        "/residents/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv_text.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported" in html and "“someday” is not a date" in html
    assert not db.exec(select(Resident)).all()
    good = csv_text.splitlines()[:2]
    for _ in range(2):
        response = client.post(
            "/residents/import",
            data={
                "csrf_token": token,
                "file": (io.BytesIO("\n".join(good).encode()), "people.csv"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
    assert "1 already registered" in response.get_data(as_text=True)
    assert len(db.exec(select(Resident)).all()) == 1
    template = client.get("/residents/import/template.csv")
    assert template.mimetype == "text/csv" and "first_name" in template.get_data(as_text=True)


def test_export_json_and_csv_are_audited(client, login_as, make_resident, db):
    advisor = login_as(Role.ADVISOR)
    resident = make_resident(advisor, first_name="=cmd|calc")
    data = json.loads(client.get(f"/residents/{resident.id}/export.json").get_data(as_text=True))
    assert data["resident"][0]["first_name"] == "=cmd|calc"
    assert len(data["consents"]) == 1
    csv_text = client.get(f"/residents/{resident.id}/export.csv").get_data(as_text=True)
    assert "resident,1,first_name,'=cmd|calc" in csv_text
    exports = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.EXPORT, AuditEvent.entity_id == resident.id
        )
    ).all()
    assert len(exports) == 2


def test_erasure_after_confirmation_keeps_milestones(client, login_as, make_resident, db):
    advisor = login_as(Role.ADVISOR)
    resident = make_resident(advisor)
    db.add(
        MilestoneEvent(
            resident_id=resident.id, kind=MilestoneKind.JOB_STARTED, occurred_on=date(2026, 5, 1)
        )
    )
    db.flush()
    page = f"/residents/{resident.id}/erase"
    assert "This cannot be undone" in client.get(page).get_data(as_text=True)
    assert submit(client, page, {}).status_code == 302
    db.refresh(resident)
    assert resident.erased_at is not None and resident.first_name is None
    assert (
        len(db.exec(select(MilestoneEvent).where(MilestoneEvent.resident_id == resident.id)).all())
        == 1
    )
    assert client.get(f"/residents/{resident.id}").status_code == 404


def test_admin_merges_two_records_after_comparing_them(
    client, login_as, make_resident, make_user, db
):
    admin = login_as(Role.ADMIN)
    advisor = make_user(Role.ADVISOR)
    keep = make_resident(advisor)
    duplicate = make_resident(advisor)
    db.add(
        MilestoneEvent(
            resident_id=duplicate.id, kind=MilestoneKind.REGISTERED, occurred_on=date(2026, 1, 1)
        )
    )
    db.flush()
    fields = {"keep_id": keep.id, "duplicate_id": duplicate.id}
    compare = submit(client, "/residents/merge", fields)
    assert "I have checked these are the same person" in compare.get_data(as_text=True)
    assert duplicate.merged_into_id is None
    assert submit(client, "/residents/merge", fields | {"confirm": "y"}).status_code == 302
    db.refresh(duplicate)
    assert duplicate.merged_into_id == keep.id
    assert db.exec(select(MilestoneEvent.resident_id)).all() == [keep.id]
    assert db.exec(
        select(AuditEvent).where(
            AuditEvent.user_id == admin.id, AuditEvent.action == AuditAction.MERGE
        )
    ).one()


def test_retention_review_lists_inactive_residents(client, login_as, make_resident, app, db):
    from datetime import UTC, datetime, timedelta

    advisor = login_as(Role.ADVISOR)
    idle = make_resident(advisor, first_name="Idle")
    make_resident(advisor, first_name="Busy")
    idle.last_activity_at = datetime.now(UTC) - timedelta(days=app.config["RETENTION_DAYS"] + 1)
    db.add(idle)
    db.flush()
    html = client.get("/residents/retention").get_data(as_text=True)
    assert "Idle" in html and "Busy" not in html


def test_skill_suggestions_for_the_picker(client, login_as):
    login_as(Role.ADVISOR)
    assert (
        "cash handling" in client.get("/residents/skills/suggest?q=tills").get_json()["suggestions"]
    )
