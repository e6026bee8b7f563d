"""Schemathesis against ``/api/v1/openapi.json``, calling the Flask app in-process (WSGI).

Generated requests, valid and not, must never get a server error, and every response must
match the document: its status codes, content type and body schema.
"""

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The document needs no database (this app's is unreachable, so a generated request sent to it
# would fail as a 503); each request goes to the test's database-backed app.
_DOCUMENT_APP = create_app(
    {"ENV": "testing", "TESTING": True, "DATABASE_URL": "sqlite:////nonexistent/schema-only.db"}
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _DOCUMENT_APP)


@pytest.fixture
def api_app(app, catalogue, make_vacancy):
    """The app with the catalogue and one open vacancy, so lists and lookups have rows."""
    make_vacancy()
    return app


@schema.parametrize()
@settings(max_examples=30)
def test_api_matches_its_document(case, api_app):
    case.call_and_validate(app=api_app, checks=CHECKS)


def test_the_document_describes_every_api_route(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {"/api/v1" + path for path in document["paths"]}
    routes = {
        rule.rule.replace("<", "{").replace(">", "}").replace("int:", "")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
    }
    assert routes <= documented
