"""Admins manage users, organisations and sites, issue reset links and search the audit log."""

import re

from sqlmodel import select

from pathways.accounts import find_user_by_email, verify_password
from pathways.models import AuditAction, AuditEvent, Organisation, OutboxMessage, Role, Site, User
from tests.helpers import submit


def test_admin_creates_a_user_who_can_then_sign_in(app, client, login_as, make_organisation, db):
    admin = login_as(Role.ADMIN)
    trust = make_organisation(name="St Elsewhere NHS Trust")
    response = submit(
        client,
        "/admin/users/new",
        {
            "full_name": "Priya Shah",
            "email": "Priya.Shah@nhs.example",
            "role": "employer",
            "organisation_id": trust.id,
            "password": "a-good-long-passphrase",
        },
    )
    assert response.status_code == 302
    user = find_user_by_email(session=db, email="priya.shah@nhs.example")
    assert (user.role, user.organisation_id) == (Role.EMPLOYER, trust.id)
    assert user.password_hash.startswith("$argon2id$")
    audit = db.exec(
        select(AuditEvent).where(
            AuditEvent.user_id == admin.id, AuditEvent.action == AuditAction.CREATE
        )
    ).one()
    assert (audit.entity_type, audit.entity_id) == ("user", user.id)


def test_user_form_errors_are_shown_beside_the_fields_and_nothing_is_saved(
    client, login_as, make_organisation, db
):
    login_as(Role.ADMIN)
    organisation = make_organisation()
    before = len(db.exec(select(User)).all())
    response = submit(
        client,
        "/admin/users/new",
        {
            "full_name": "",
            "email": "not-an-email",
            "role": "advisor",
            "organisation_id": organisation.id,
            "password": "short",
        },
    )
    html = response.get_data(as_text=True)
    assert "nhsuk-error-summary" in html
    assert "Enter the person&#39;s full name" in html or "Enter the person's full name" in html
    assert len(db.exec(select(User)).all()) == before


def test_deactivating_a_user_ends_their_session(app, client, login_as, make_user, db):
    login_as(Role.ADMIN)
    victim = make_user(Role.ADVISOR)
    theirs = app.test_client()
    submit(theirs, "/sign-in", {"email": victim.email, "password": "correct-battery-staple-42"})
    assert theirs.get("/account/password").status_code == 200
    assert (
        submit(
            client, f"/admin/users/{victim.id}/active", {"active": "0"}, page="/admin/users"
        ).status_code
        == 302
    )
    db.refresh(victim)
    assert victim.is_active is False
    assert theirs.get("/account/password").status_code == 302


def test_reset_link_is_shown_written_to_the_outbox_and_works_once(
    app, client, login_as, make_user, db
):
    login_as(Role.ADMIN)
    user = make_user(Role.EMPLOYER)
    response = submit(client, f"/admin/users/{user.id}/reset-password", {}, page="/admin/users")
    link = re.search(
        r'<code id="reset-link">([^<]+)</code>', response.get_data(as_text=True)
    ).group(1)
    outbox = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == user.email)).one()
    assert link in outbox.body
    path = link.split("localhost", 1)[1]
    visitor = app.test_client()
    new_password = "reset-to-something-long"
    assert (
        submit(visitor, path, {"password": new_password, "confirm": new_password}).status_code
        == 302
    )
    db.refresh(user)
    assert verify_password(user.password_hash, new_password)
    assert visitor.get(path).status_code == 404  # used once, gone


def test_admin_adds_an_organisation_and_a_site_located_by_postcode(client, login_as, db):
    login_as(Role.ADMIN)
    response = submit(
        client,
        "/admin/organisations/new",
        {"name": "Beeston Care Ltd", "kind": "care_provider", "ods_code": ""},
    )
    organisation = db.exec(
        select(Organisation).where(Organisation.name == "Beeston Care Ltd")
    ).one()
    assert response.headers["Location"] == f"/admin/organisations/{organisation.id}"
    url = f"/admin/organisations/{organisation.id}"
    assert submit(client, url, {"name": "Head office", "postcode": "ls97ja"}).status_code == 302
    site = db.exec(select(Site).where(Site.organisation_id == organisation.id)).one()
    assert site.postcode == "LS9 7JA" and round(site.latitude, 3) == 53.803
    bad = submit(client, url, {"name": "Nowhere", "postcode": "not a postcode"})
    assert "Enter a full UK postcode" in bad.get_data(as_text=True)


def test_audit_log_search_and_formula_safe_export(client, login_as, db):
    admin = login_as(Role.ADMIN)
    submit(
        client,
        "/admin/organisations/new",
        {"name": '=HYPERLINK("http://x")', "kind": "college", "ods_code": ""},
    )
    page = client.get("/admin/audit?action=create&entity_type=organisation").get_data(as_text=True)
    assert "HYPERLINK" in page and admin.email in page
    export = client.get("/admin/audit.csv?action=create")
    text = export.get_data(as_text=True)
    assert export.mimetype == "text/csv"
    assert "'=HYPERLINK" in text
    assert (
        db.exec(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)).one().user_id
        == admin.id
    )


def test_audit_search_with_a_malformed_date_still_answers(client, login_as):
    login_as(Role.ADMIN)
    response = client.get("/admin/audit?on_or_after=31-02-2026")
    assert response.status_code == 200
    assert "Not a valid date value" in response.get_data(as_text=True)
