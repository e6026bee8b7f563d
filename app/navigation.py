"""The header links each role sees."""

from flask import url_for
from flask_login import current_user

from pathways.models import Role


def navigation_for() -> list[dict[str, str]]:
    """Header navigation for the signed-in user's role; the public catalogue for everyone."""
    items = [{"text": "About the data", "href": url_for("main.about")}]
    if not current_user.is_authenticated:
        return items
    by_role: dict[Role, list[dict[str, str]]] = {
        Role.ADVISOR: [],
        Role.EMPLOYER: [],
        Role.PROGRAMME_LEAD: [],
        Role.ADMIN: [
            {"text": "Users", "href": url_for("admin.users")},
            {"text": "Organisations", "href": url_for("admin.organisations_list")},
            {"text": "Audit log", "href": url_for("admin.audit")},
        ],
    }
    return by_role.get(current_user.role, []) + items
