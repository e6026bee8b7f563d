"""The read-only JSON API under ``/api/v1``, described by an OpenAPI document.

Each resource module registers its routes on ``bp`` and documents them with ``document``; every
view says who may call it (``@public`` or ``@roles``), and errors come back as JSON with a message.
"""

from flask import Blueprint, jsonify

from app.api.openapi import openapi_document
from app.permissions import public

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 description of every API route."""
    return jsonify(openapi_document())


# Imported last: each module registers its routes on bp.
from app.api import catalogue, postcodes, reports  # noqa: E402, F401
