"""NHS.UK components kept per parameters draw exactly what the component itself draws."""

import re

import pytest
from markupsafe import Markup

from app.templating import compile_templates
from pathways.models import Role
from tests.helpers import TEST_PASSWORD, submit

SELECT = {
    "label": {"text": "Sort by"},
    "id": "sort",
    "name": "sort",
    "items": [
        {"value": "name", "text": "Name", "selected": False},
        {"value": "decile", "text": "Most deprived first", "selected": True},
    ],
}
HEADER = {
    "service": {"text": "Pathways", "href": "/"},
    "account": {"items": [{"text": "Sam (advisor)", "icon": True}]},
    "navigation": {"items": [{"text": "Caseload", "href": "/residents/"}]},
}


def drawn_directly(app, name: str, params: dict) -> str:
    source = f'{{% from "nhsuk/components/{name}/macro.jinja" import {name} %}}{{{{ {name}(p) }}}}'
    return app.jinja_env.from_string(source).render(p=params)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("select", SELECT),
        ("select", SELECT | {"errorMessage": {"text": "Choose one"}, "hint": {"text": "Any"}}),
        ("header", HEADER),
    ],
)
def test_a_kept_component_is_the_component(app, name, params):
    kept = app.jinja_env.globals["kept_component"]
    with app.test_request_context("/"):
        first = kept(name, params)
        assert first == drawn_directly(app, name, params)
        assert kept(name, dict(params)) is first  # drawn once, then kept


def test_any_difference_in_the_parameters_draws_afresh(app):
    kept = app.jinja_env.globals["kept_component"]
    other_choice = SELECT | {"items": [item | {"selected": True} for item in SELECT["items"]]}
    as_markup = SELECT | {"label": {"text": Markup("<b>Sort</b>")}}
    as_text = SELECT | {"label": {"text": "<b>Sort</b>"}}
    with app.test_request_context("/"):
        drawn = [kept("select", params) for params in (SELECT, other_choice, as_markup, as_text)]
        assert len(set(drawn)) == 4
        assert "<b>Sort</b>" in drawn[2] and "&lt;b&gt;Sort&lt;/b&gt;" in drawn[3]
        unhashable = SELECT | {"attributes": {"data-x": bytearray(b"1")}}
        assert kept("select", unhashable) == drawn_directly(app, "select", unhashable)


def test_the_caseload_filters_show_each_request_s_own_choices(client, login_as):
    login_as(Role.ADVISOR)
    for sort in ("decile", "name", "decile"):
        html = client.get(f"/residents/?sort={sort}").get_data(as_text=True)
        selected = re.findall(r'<option value="(\w*)" selected\s*>', html)
        assert sort in selected and ({"decile", "name"} - {sort}).isdisjoint(selected)


def test_each_user_sees_their_own_name_and_links_in_the_header(app, make_user):
    for role, link in ((Role.ADVISOR, "Caseload"), (Role.EMPLOYER, "Applications")):
        user = make_user(role, full_name=f"Person {role.value}")
        client = app.test_client()
        submit(client, "/sign-in", {"email": user.email, "password": TEST_PASSWORD})
        header = client.get("/").get_data(as_text=True).split("</header>")[0]
        assert f"Person {role.value}" in header and f">{link}<" in header
        assert all(f"Person {other.value}" not in header for other in Role if other != role)


def test_compile_templates_leaves_every_template_compiled_for_forked_workers(app):
    app.jinja_env.cache.clear()
    count = compile_templates(app)
    names = app.jinja_env.list_templates(extensions=("html", "jinja"))
    assert count == len(names) > 100  # the app's own and the NHS.UK components
    assert {name for (_, name), _ in app.jinja_env.cache.items()} == set(names)
