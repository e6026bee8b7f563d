"""Every route states who may use it: ``@public``, or a role guard on its blueprint or view.

``check_every_route_is_guarded`` runs at start-up, so a route without a permission cannot ship.
"""

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Flask, abort, current_app, request
from flask_login import current_user

from app.extensions import login_manager
from pathways.models import Role

BLUEPRINT_ROLES: dict[str, frozenset[Role]] = {}
# Endpoints Flask and extensions add themselves; they serve only public files.
FRAMEWORK_ENDPOINTS = frozenset({"static"})


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone, signed in or not."""
    view.permission = "public"
    return view


def signed_in(view: Callable) -> Callable:
    """Open to any signed-in user, whatever their role."""
    return roles(*Role)(view)


def roles(*allowed_roles: Role) -> Callable:
    """Open only to these roles; for views whose blueprint serves several audiences."""
    allowed = frozenset(allowed_roles)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            _require(allowed)
            return view(*args, **kwargs)

        wrapped.permission = allowed
        return wrapped

    return decorate


def guard_blueprint(bp: Blueprint, *roles: Role) -> None:
    """Only these roles may use the blueprint's views, unless a view says ``@public``."""
    allowed = frozenset(roles)
    BLUEPRINT_ROLES[bp.name] = allowed

    @bp.before_request
    def require_role():
        view = _current_view()
        if getattr(view, "permission", None) == "public":
            return None
        _require(allowed)
        return None


def check_every_route_is_guarded(app: Flask) -> None:
    """Refuse to start if any endpoint has no explicit permission."""
    unguarded = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in FRAMEWORK_ENDPOINTS
        and getattr(view, "permission", None) is None
        and endpoint.split(".")[0] not in BLUEPRINT_ROLES
    ]
    if unguarded:
        raise RuntimeError(f"Routes without a permission: {', '.join(sorted(unguarded))}")


def permission_of(app: Flask, endpoint: str) -> str | frozenset[Role]:
    """The roles allowed on an endpoint, or "public"; used by the access-control tests."""
    view = app.view_functions[endpoint]
    own = getattr(view, "permission", None)
    if own is not None:
        return own
    if endpoint in FRAMEWORK_ENDPOINTS:
        return "public"
    return BLUEPRINT_ROLES[endpoint.split(".")[0]]


def _require(allowed: frozenset[Role]) -> None:
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        # Flask-Login's handler redirects to the sign-in page with a relative ``next``.
        abort(login_manager.unauthorized())
    if current_user.role not in allowed:
        abort(403)


def _current_view() -> Callable | None:
    return current_app.view_functions.get(request.endpoint or "")
