"""One database session per request: the request commits once, and any error rolls it back.

Input the database cannot hold is refused before any view runs: text with NUL characters
(PostgreSQL cannot store them) and ids in URLs too large for an integer column (a 404, as for
any other id that does not exist).
"""

from flask import (
    Flask,
    Response,
    abort,
    after_this_request,
    current_app,
    g,
    has_request_context,
    request,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from werkzeug.routing import IntegerConverter

from pathways.database import make_engine, make_sessionmaker

# The largest value of a PostgreSQL ``integer``, the type of every id column.
MAX_ID = 2**31 - 1
# Pages beyond this are never needed and would overflow the offset they imply.
MAX_PAGE = 100_000
NUL_MESSAGE = "The request contains a character that is not allowed (NUL). Remove it and try again."


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs: a whole number from 1 that fits an id column, or no match (404)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_database(app: Flask) -> None:
    """Create the engine and session factory, and tie the session to each request."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["pathways.engine"] = engine
    app.extensions["pathways.sessionmaker"] = make_sessionmaker(engine)
    # Before any blueprint registers its routes, so every ``<int:id>`` is bounded.
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul_characters)
    app.teardown_appcontext(_close_session)


def db_session() -> Session:
    """The current request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["pathways.sessionmaker"]()
        if has_request_context():
            # A per-request hook runs before the app's after_request hooks, so a failed commit's
            # error page still gets the security headers.
            after_this_request(_commit_successful_request)
    return g.db_session


def discard_changes() -> None:
    """Undo this request's writes now, when a rule fails after some of them were flushed."""
    session = g.get("db_session")
    if session is not None:
        rollback_quietly(session)


def requested_page() -> int:
    """The ``?page=`` number, from 1, bounded so the offset it implies fits the database."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def _commit_successful_request(response: Response) -> Response:
    """Commit before the response leaves, so a failed commit becomes an error, not lost data."""
    session = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 400:
        rollback_quietly(session)
        return response
    try:
        session.commit()
    except SQLAlchemyError as error:
        from app.errors import database_error_response

        return database_error_response(error)
    return response


def _refuse_nul_characters() -> None:
    """A NUL in a parameter, form field or URL is a 400, not a database error."""
    pairs = list(request.args.items(multi=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        pairs += request.form.items(multi=True)
    if "\x00" in request.path or any("\x00" in key + value for key, value in pairs):
        abort(400, NUL_MESSAGE)


def close_connections(app: Flask) -> None:
    """Close the app's pooled connections (before forking workers, which must not share them)."""
    app.extensions["pathways.engine"].dispose()


def forget_inherited_connections(app: Flask) -> None:
    """In a forked worker: drop pooled connections inherited from the parent, without closing
    them under the parent's feet; the worker opens its own."""
    app.extensions["pathways.engine"].dispose(close=False)


def _close_session(exception: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        if exception is not None:
            rollback_quietly(session)
        session.close()


def rollback_quietly(session: Session) -> None:
    """Roll back; if the database has gone, there is nothing left to undo and no one to tell."""
    try:
        session.rollback()
    except SQLAlchemyError:
        current_app.logger.warning("Rollback failed: the database connection was lost")
