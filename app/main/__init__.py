"""Pages for everyone: the start page, data sources, and the health check."""

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.permissions import public

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index():
    """Start page: what the service is for, and where to go next."""
    return render_template("main/index.html", user=current_user)


@bp.get("/about")
@public
def about():
    """The data sources the service uses, with their attributions."""
    return render_template("main/about.html")


@bp.get("/healthz")
@public
def healthz():
    """Tell a load balancer whether this instance can reach its database."""
    try:
        with current_app.extensions["pathways.engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
