"""Jinja set-up for the NHS.UK design system templates, and the assets they need."""

import re
import secrets
from collections.abc import Hashable
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, g, send_from_directory
from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    Undefined,
)
from markupsafe import Markup
from wtforms import SelectChoice

from app.navigation import navigation_for
from app.permissions import public

assets = Blueprint("assets", __name__)

# Bundles served from the dist root; images and icons live under dist/nhsuk/assets.
BUNDLES = frozenset({"nhsuk-frontend.min.css", "nhsuk-frontend.min.js"})
STYLESHEET = "nhsuk-frontend.min.css"
# The stylesheet fetches the Frutiger font from assets.nhs.uk: the CSP (font-src 'self') and closed
# networks refuse it, an error on every page, so those rules are dropped and Arial is used instead.
REMOTE_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*url\(\s*[\"']?(?:https?:)?//[^}]*\}")
# Drawn NHS.UK components a worker keeps (a few KiB each), before it starts afresh.
KEPT_COMPONENTS = 512


def init_templating(app: Flask) -> None:
    """Load our templates first, then the nhsuk-frontend-jinja components."""
    app.jinja_options = {
        "undefined": ChainableUndefined,
        "loader": ChoiceLoader(
            [
                FileSystemLoader(Path(app.root_path) / "templates"),
                PackageLoader("nhsuk_frontend_jinja"),
            ]
        ),
        "autoescape": True,
    }
    app.jinja_env.filters["select_item"] = select_item
    app.jinja_env.globals["kept_component"] = KeptComponents(app.jinja_env)
    app.before_request(_make_csp_nonce)
    app.context_processor(_layout_context)
    app.register_blueprint(assets)


@assets.get("/assets/<path:filename>")
@public
def asset(filename: str):
    """Serve the NHS.UK frontend CSS, JS and images from the installed npm package."""
    dist = Path(current_app.config["NHSUK_FRONTEND_DIST"])
    if filename == STYLESHEET:
        response = Response(_stylesheet_without_remote_fonts(dist / filename), mimetype="text/css")
        response.cache_control.public = True
        response.cache_control.max_age = 86400
        return response
    if filename in BUNDLES:
        return send_from_directory(dist, filename, max_age=86400)
    if not (dist / "assets").is_dir():
        abort(404)
    return send_from_directory(dist / "assets", filename, max_age=86400)


@lru_cache(maxsize=2)
def _stylesheet_without_remote_fonts(path: Path) -> str:
    if not path.is_file():
        abort(404)
    return REMOTE_FONT_FACE.sub("", path.read_text(encoding="utf-8"))


def csp_nonce() -> str:
    """This request's nonce for the one inline script the NHS.UK template carries."""
    if "csp_nonce" not in g:
        _make_csp_nonce()
    return g.csp_nonce


def compile_templates(app: Flask) -> int:
    """Compile every template once (about 0.9 s), so a worker forked afterwards starts with them
    compiled instead of compiling them while its first requests wait; returns how many."""
    names = app.jinja_env.list_templates(extensions=("html", "jinja"))
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def _make_csp_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


class KeptComponents:
    """NHS.UK components drawn once per distinct parameters, for the ones pages repeat.

    A component's HTML depends on its parameters alone, and the same ones come back on every
    page (a role's header, the caseload's filters), so drawing them again is wasted work:
    ``{{ kept_component("select", params) }}`` is ``{{ select(params) }}``, kept.
    """

    def __init__(self, environment: Environment):
        self.environment = environment
        self.kept: dict[Hashable, Markup] = {}

    def __call__(self, name: str, params: dict) -> Markup:
        try:
            key = (name, _frozen(params))
        except TypeError:  # a value that cannot be a key: draw it every time
            return self.draw(name, params)
        html = self.kept.get(key)
        if html is None:
            html = self.draw(name, params)
            if len(self.kept) >= KEPT_COMPONENTS:
                self.kept.clear()
            self.kept[key] = html
        return html

    def draw(self, name: str, params: dict) -> Markup:
        module = self.environment.get_template(f"nhsuk/components/{name}/macro.jinja").module
        return getattr(module, name)(params)


def _frozen(value: object) -> Hashable:
    """A hashable copy of component parameters that keeps apart whatever changes the HTML.

    The type goes with each value, so markup and plain text (or ``True`` and ``1``) differ.
    """
    if isinstance(value, dict):
        return dict, tuple((key, _frozen(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return list, tuple(_frozen(item) for item in value)
    if isinstance(value, Undefined):
        return Undefined
    hash(value)  # TypeError for anything else that cannot be a key
    return type(value), value


def select_item(choice: SelectChoice, selected: object) -> dict[str, object]:
    """A WTForms choice as an NHS.UK select item."""
    return {
        "value": choice.value,
        "text": choice.label,
        "selected": str(choice.value) == str(selected),
    }


def form_error_list(form) -> list[dict[str, str]]:
    """A WTForms form's errors as NHS.UK error summary items linking to each field."""
    return [
        {"text": messages[0], "href": f"#{form[name].id}" if name in form else "#"}
        for name, messages in form.errors.items()
        if messages
    ]


def _layout_context() -> dict[str, object]:
    return {
        "cspNonce": csp_nonce(),
        "navigation": navigation_for(),
        "form_error_list": form_error_list,
    }
