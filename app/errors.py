"""Errors become NHS.UK error pages for people and JSON for the API, decided in one place."""

import logging

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

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


def _database_unavailable(error: OperationalError):
    _rollback()
    return _render(503, ServiceUnavailable.description)


def _unexpected_error(error: Exception):
    _rollback()
    logging.getLogger("pathways").exception("Unhandled error", exc_info=error)
    return _render(500, InternalServerError.description)


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _render(status: int, message: str | None):
    title = TITLES.get(status, "Something went wrong")
    if wants_json():
        return jsonify(
            error={"status": status, "title": title, "message": message or title}
        ), status
    return render_template("error.html", status=status, title=title, message=message), status
