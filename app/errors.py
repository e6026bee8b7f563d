"""Errors become NHS.UK error pages for people and JSON for the API, decided in one place."""

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
    ServiceUnavailable,
)

from pathways.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed

TITLES = {
    400: "There is a problem with your request",
    401: "You need to sign in",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "This action is not allowed here",
    409: "Someone else changed this at the same time",
    413: "The file is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def init_error_handlers(app: Flask) -> None:
    """Map HTTP and domain errors to responses."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(NotFound, lambda error: _render(404, str(error)))
    app.register_error_handler(PermissionDenied, lambda error: _render(403, str(error)))
    app.register_error_handler(ValidationFailed, lambda error: _render(400, str(error)))
    app.register_error_handler(ConflictError, _conflict)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)


def wants_json() -> bool:
    """API clients get JSON errors; people get pages."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def _http_error(error: HTTPException):
    return _render(error.code or 500, error.description if error.code != 500 else None)


def _conflict(error: ConflictError):
    _rollback()
    return _render(409, str(error))


def _too_large(error: RequestEntityTooLarge):
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return _render(
        413,
        f"The file must be smaller than {limit / (1024 * 1024):g} MB. "
        "Split it into smaller files and upload each one.",
    )


def _database_unavailable(error: OperationalError):
    _rollback()
    # The signed-in user was loaded from the database that has gone: render the page without them.
    g._login_user = AnonymousUserMixin()
    return _render(503, ServiceUnavailable.description)


def database_error_response(error: SQLAlchemyError):
    """The response for a commit that failed: nothing was saved, and the person is told so."""
    _rollback()
    if isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        logging.getLogger("pathways").warning("Commit failed: database unavailable: %s", error)
        return _response(*_database_unavailable(error))
    if isinstance(error, IntegrityError):
        return _response(*_render(409, "Someone else saved a change at the same time. Try again."))
    return _response(*_unexpected_error(error))


def _unexpected_error(error: Exception):
    _rollback()
    logging.getLogger("pathways").exception("Unhandled error", exc_info=error)
    return _render(500, InternalServerError.description)


def _rollback() -> None:
    from app.database import discard_changes

    discard_changes()


def _response(body, status: int):
    return current_app.make_response((body, status))


def _render(status: int, message: str | None):
    title = TITLES.get(status, "Something went wrong")
    if wants_json():
        return jsonify(
            error={"status": status, "title": title, "message": message or title}
        ), status
    return render_template("error.html", status=status, title=title, message=message), status
