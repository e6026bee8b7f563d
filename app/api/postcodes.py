"""The public postcode lookup: ward, LSOA, deprivation decile and priority area."""

from flask import abort, current_app, jsonify

from app.api import bp
from app.api.openapi import document
from app.permissions import public
from pathways.errors import UnknownPostcode
from pathways.geography import resolve_postcode

NO_DATA_NOTE = "Valid postcode outside the Leeds data: no deprivation data."


@bp.get("/postcodes/<postcode>")
@public
def postcode(postcode: str):
    """What the service derives from a postcode; deprivation fields are null outside the data."""
    try:
        place = resolve_postcode(
            postcode,
            priority_decile_threshold=current_app.config["PRIORITY_DECILE_THRESHOLD"],
        )
    except UnknownPostcode as error:
        abort(400, str(error))
    return jsonify(
        postcode=place.postcode,
        in_coverage=place.in_coverage,
        has_deprivation_data=place.has_deprivation_data,
        local_authority=place.local_authority,
        ward=place.ward_name,
        lsoa21_code=place.lsoa21_code,
        lsoa21_name=place.lsoa21_name,
        imd2025_decile=place.imd_decile,
        imd2019_decile=place.imd2019_decile,
        priority_area=place.priority_area,
        in_priority_area=place.is_priority,
        note=None if place.has_deprivation_data else NO_DATA_NOTE,
    )


_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_DECILE = {"type": ["integer", "null"], "minimum": 1, "maximum": 10}
document(
    "/postcodes/{postcode}",
    {
        "get": {
            "summary": "Look up a postcode",
            "description": "Normalises the postcode (any case or spacing) and returns its ward, "
            "LSOA 2021, English Indices of Deprivation 2025 decile (1 = most deprived; 2019 too "
            "where known) and priority area. A valid postcode outside the Leeds data is 200 "
            "with null deprivation fields and a note; text that is not a postcode is 400.",
            "parameters": [
                {
                    "name": "postcode",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "example": "LS9 7JA",
                }
            ],
            "responses": {
                "200": {
                    "description": "The place the postcode resolves to",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Postcode"}}
                    },
                },
                "400": {
                    "description": "Not a valid or known postcode",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
    },
    {
        "Postcode": {
            "type": "object",
            "properties": {
                "postcode": {"type": "string", "example": "LS9 7JA"},
                "in_coverage": {"type": "boolean"},
                "has_deprivation_data": {"type": "boolean"},
                "local_authority": _NULLABLE_STRING,
                "ward": _NULLABLE_STRING,
                "lsoa21_code": _NULLABLE_STRING,
                "lsoa21_name": _NULLABLE_STRING,
                "imd2025_decile": _NULLABLE_DECILE,
                "imd2019_decile": _NULLABLE_DECILE,
                "priority_area": _NULLABLE_STRING,
                "in_priority_area": {"type": "boolean"},
                "note": _NULLABLE_STRING,
            },
            "required": ["postcode", "in_coverage", "in_priority_area"],
        }
    },
)
