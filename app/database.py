"""One database session per request: the request commits once, and any error rolls it back."""

from flask import Flask, Response, current_app, g
from sqlmodel import Session

from pathways.database import make_engine, make_sessionmaker


def init_database(app: Flask) -> None:
    """Create the engine and session factory, and tie the session to each request."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["pathways.engine"] = engine
    app.extensions["pathways.sessionmaker"] = make_sessionmaker(engine)
    app.after_request(_commit_successful_request)
    app.teardown_appcontext(_close_session)


def db_session() -> Session:
    """The current request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["pathways.sessionmaker"]()
    return g.db_session


def _commit_successful_request(response: Response) -> Response:
    """Commit before the response leaves, so a failed commit becomes an error, not lost data."""
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
    return response


def _close_session(exception: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        if exception is not None:
            session.rollback()
        session.close()
