"""Every route enforces its permission: anonymous users, wrong roles, other organisations."""

import pytest
from werkzeug.routing import IntegerConverter

from app import create_app
from app.permissions import permission_of
from pathways.models import Role
from tests.helpers import submit

# Built once to enumerate the routes; the tests below use the real, database-backed app.
_ROUTE_APP = create_app({"ENV": "testing", "TESTING": True})
SKIPPED_ENDPOINTS = {"static", "assets.asset"}


def _routes():
    for rule in _ROUTE_APP.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield pytest.param(rule, method, id=f"{method} {rule.rule}")


def _url(rule) -> str:
    values = {
        arg: 999999 if isinstance(rule._converters.get(arg), IntegerConverter) else "x"
        for arg in rule.arguments
    }
    return rule.build(values, append_unknown=False)[1]


ROUTES = list(_routes())
GUARDED = [
    route for route in ROUTES if permission_of(_ROUTE_APP, route.values[0].endpoint) != "public"
]


@pytest.fixture
def app_without_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_every_route_declares_a_permission():
    assert len(ROUTES) >= 15
    for route in ROUTES:
        assert permission_of(_ROUTE_APP, route.values[0].endpoint) is not None


@pytest.mark.parametrize(("rule", "method"), GUARDED)
def test_anonymous_users_are_sent_to_sign_in(app_without_csrf, rule, method):
    response = app_without_csrf.test_client().open(_url(rule), method=method)
    if rule.rule.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize(("rule", "method"), GUARDED)
def test_wrong_roles_are_forbidden(app_without_csrf, make_user, rule, method):
    allowed = permission_of(_ROUTE_APP, rule.endpoint)
    for role in set(Role) - set(allowed):
        client = app_without_csrf.test_client()
        user = make_user(role)
        assert (
            submit(
                client, "/sign-in", {"email": user.email, "password": "correct-battery-staple-42"}
            ).status_code
            == 302
        )
        response = client.open(_url(rule), method=method)
        assert response.status_code == 403, f"{role.value} got {response.status_code}"


@pytest.mark.parametrize(("rule", "method"), GUARDED)
def test_allowed_roles_get_past_the_guard(app_without_csrf, make_user, rule, method):
    """With ids that do not exist, the right role reaches the view and gets 404, 400 or a page."""
    for role in permission_of(_ROUTE_APP, rule.endpoint):
        client = app_without_csrf.test_client()
        user = make_user(role)
        submit(client, "/sign-in", {"email": user.email, "password": "correct-battery-staple-42"})
        response = client.open(_url(rule), method=method)
        assert response.status_code not in (401, 403), f"{role.value} got {response.status_code}"
        assert not response.headers.get("Location", "").startswith("/sign-in")
        if rule.arguments:
            assert response.status_code == 404
