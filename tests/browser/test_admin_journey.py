"""Admin journey: add a user, then find that change in the audit log."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_creates_a_user_and_reads_the_audit_log(start_journey):
    admin = start_journey("admin")
    page = admin.page
    admin.sign_in("admin@pathways.example")

    with admin.navigates():
        page.get_by_role("navigation").get_by_role("link", name="Users", exact=True).click()
    with admin.navigates():
        page.get_by_role("link", name="Add a user").click()
    page.get_by_label("Full name").fill("Priya Patel")
    page.get_by_label("Email address").fill("priya.patel@pathways.example")
    page.get_by_label("Role").select_option(label="Advisor")
    page.get_by_label("Organisation").select_option(label="Learning Partnerships")
    page.get_by_label("Initial password").fill("a-long-initial-password-9")
    admin.screenshot("add-user")
    with admin.navigates():
        page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Priya Patel can now sign in as priya.patel@pathways.example"
    )
    expect(page.get_by_role("row").filter(has_text="priya.patel@pathways.example")).to_have_count(1)
    admin.screenshot("users")

    with admin.navigates():
        page.get_by_role("navigation").get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").select_option(label="Create")
    page.get_by_label("Record type").fill("user")
    with admin.navigates():
        page.get_by_role("button", name="Search").click()
    entry = page.get_by_role("row").filter(has_text="priya.patel@pathways.example as advisor")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("admin@pathways.example")
    admin.screenshot("audit-log")

    newcomer = start_journey("admin-new-user")
    newcomer.sign_in("priya.patel@pathways.example", "a-long-initial-password-9")
    expect(newcomer.page.get_by_text("You are signed in as Priya Patel, advisor.")).to_be_visible()
