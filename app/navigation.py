"""The header links each role sees."""

from flask import url_for
from flask_login import current_user

from pathways.models import Role


def navigation_for() -> list[dict[str, str]]:
    """Header navigation for the signed-in user's role; the public catalogue for everyone."""
    items = [
        {"text": "Pathways", "href": url_for("catalogue.index")},
        {"text": "About the data", "href": url_for("main.about")},
    ]
    if not current_user.is_authenticated:
        return items
    by_role: dict[Role, list[dict[str, str]]] = {
        Role.ADVISOR: [
            {"text": "Caseload", "href": url_for("residents.caseload")},
            {"text": "Register a resident", "href": url_for("residents.register")},
            {"text": "Import", "href": url_for("residents.import_file")},
            {"text": "Vacancies", "href": url_for("vacancies.browse")},
            {"text": "Due checks", "href": url_for("applications.advisor_due")},
            {"text": "Programmes", "href": url_for("programmes.index")},
        ],
        Role.EMPLOYER: [
            {"text": "Vacancies", "href": url_for("vacancies.employer_list")},
            {"text": "Applications", "href": url_for("applications.employer_list")},
            {"text": "Sustainment checks", "href": url_for("applications.employer_checks")},
            {"text": "Anchor measures", "href": url_for("reports.anchor")},
        ],
        Role.PROGRAMME_LEAD: [
            {"text": "Programmes", "href": url_for("programmes.index")},
            {"text": "Reports", "href": url_for("reports.index")},
        ],
        Role.ADMIN: [
            {"text": "Users", "href": url_for("admin.users")},
            {"text": "Organisations", "href": url_for("admin.organisations_list")},
            {"text": "Audit log", "href": url_for("admin.audit")},
            {"text": "Merge residents", "href": url_for("residents.merge")},
            {"text": "Retention review", "href": url_for("residents.retention")},
        ],
    }
    return by_role.get(current_user.role, []) + items
