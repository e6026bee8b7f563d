"""Jinja set-up for the NHS.UK design system templates, and the assets they need."""

import re
import secrets
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, g, send_from_directory
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
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


def _make_csp_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


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
