"""The OpenAPI document, assembled from what each API module declares about its routes."""

API_VERSION = "1.0.0"
_PATHS: dict[str, dict] = {}
_SCHEMAS: dict[str, dict] = {}

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer"},
                "title": {"type": "string"},
                "message": {"type": "string"},
            },
            "required": ["status", "title", "message"],
        }
    },
}


def document(path: str, operations: dict, schemas: dict[str, dict] | None = None) -> None:
    """Declare a path's operations (OpenAPI path item) and any schemas they reference."""
    _PATHS[path] = operations
    _SCHEMAS.update(schemas or {})


def openapi_document() -> dict:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pathways API",
            "version": API_VERSION,
            "description": "Read-only access to NHS and social care pathways, open vacancies "
            "and the postcode lookup. Errors are JSON with a message.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(_PATHS.items())),
        "components": {"schemas": {"Error": ERROR_SCHEMA} | _SCHEMAS},
    }
