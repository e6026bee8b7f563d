"""``/api/v1/pathways`` and ``/api/v1/vacancies``: the catalogue and open vacancies, read-only.

Both are public: pathways are published reference data and vacancies carry no personal data.
"""

from flask import abort, jsonify, url_for

from app.api import bp
from app.api.openapi import document
from app.api.params import (
    PAGINATION_PARAMETERS,
    bool_param,
    enum_param,
    float_param,
    int_param,
    page_param,
    page_schema,
    paginate,
    reject_unknown,
    text_param,
)
from app.database import MAX_ID, db_session
from app.permissions import public
from pathways.catalogue import (
    CatalogueFilter,
    Ladder,
    ladder_for,
    pathway_by_slug,
    search_pathways,
    skill_labels_of,
)
from pathways.errors import NotFound, ValidationFailed
from pathways.models import Pathway, PathwayKind
from pathways.vacancies import VacancyFilter, VacancyRow, open_vacancies

MAX_DISTANCE_KM = 200


@bp.get("/pathways")
@public
def pathways_list():
    """Published pathways, filtered and searched, a page at a time."""
    reject_unknown(("kind", "staff_group", "level", "band", "q"))
    filters = CatalogueFilter(
        kind=enum_param("kind", PathwayKind),
        staff_group=text_param("staff_group"),
        level=int_param("level", minimum=2, maximum=7),
        band=text_param("band", max_length=40),
        query=text_param("q"),
    )
    page = page_param()
    session = db_session()
    found = search_pathways(session=session, filters=filters)
    skills = skill_labels_of(session=session, pathways=found)
    return jsonify(paginate(found, page, lambda p: _pathway(p, skills.get(p.id, []))))


@bp.get("/pathways/<slug>")
@public
def pathway_detail(slug: str):
    """One pathway with its progression ladder."""
    reject_unknown(())
    session = db_session()
    try:
        pathway = pathway_by_slug(session=session, slug=slug)
    except NotFound:
        abort(404, f"No pathway has slug {slug[:100]!r}")
    skills = skill_labels_of(session=session, pathways=[pathway]).get(pathway.id, [])
    return jsonify(
        _pathway(pathway, skills) | _ladder(ladder_for(session=session, pathway=pathway))
    )


@bp.get("/vacancies")
@public
def vacancies_list():
    """Open vacancies, filtered, nearest first when a postcode is given."""
    reject_unknown(("pathway", "site", "ring_fenced", "postcode", "within_km"))
    session = db_session()
    pathway_id = None
    if slug := text_param("pathway"):
        try:
            pathway_id = pathway_by_slug(session=session, slug=slug).id
        except NotFound:
            abort(400, f"Parameter 'pathway' must be a pathway slug; {slug[:100]!r} is not one")
    within_km = float_param("within_km", minimum=0, maximum=MAX_DISTANCE_KM)
    postcode = text_param("postcode", max_length=10)
    if within_km is not None and not postcode:
        abort(400, "Parameter 'within_km' needs a 'postcode' to measure from")
    filters = VacancyFilter(
        pathway_id=pathway_id,
        site_id=int_param("site", minimum=1, maximum=MAX_ID),
        ring_fenced_only=bool_param("ring_fenced") or False,
        postcode=postcode,
        within_km=within_km,
    )
    page = page_param()
    try:
        rows = open_vacancies(session=session, filters=filters)
    except ValidationFailed as error:
        abort(400, f"Parameter 'postcode': {error}")
    return jsonify(paginate(rows, page, _vacancy))


def _pathway(pathway: Pathway, skills: list[str]) -> dict:
    apprenticeship = None
    if pathway.kind == PathwayKind.APPRENTICESHIP:
        apprenticeship = {
            "standard_code": pathway.apprenticeship_standard_code,
            "level": pathway.apprenticeship_level,
            "typical_duration_months": pathway.typical_duration_months,
        }
    return {
        "slug": pathway.slug,
        "title": pathway.title,
        "kind": pathway.kind.value,
        "staff_group": pathway.staff_group,
        "pay": {"band": pathway.pay_band, "min": pathway.pay_min, "max": pathway.pay_max},
        "hours_per_week": pathway.hours_per_week,
        "apprenticeship": apprenticeship,
        "typical_duration_weeks": pathway.typical_duration_weeks,
        "entry_requirements": {
            "min_age": pathway.min_age,
            "english_level": pathway.english_level,
            "maths_level": pathway.maths_level,
            "min_qualification_level": pathway.min_qualification_level,
            "driving_licence": pathway.requires_driving_licence,
            "dbs_level": pathway.dbs_level.value,
        },
        "shift_pattern": pathway.shift_pattern.value if pathway.shift_pattern else None,
        "description": pathway.description,
        "skills": skills,
        "source_url": pathway.source_url,
        "url": url_for("api.pathway_detail", slug=pathway.slug),
    }


def _ladder(ladder: Ladder) -> dict:
    def steps(rings):
        return [
            [{"slug": s.pathway.slug, "from": s.from_pathway.slug, "note": s.note} for s in ring]
            for ring in rings
        ]

    return {"progression": {"up": steps(ladder.up), "into": steps(ladder.into)}}


def _vacancy(row: VacancyRow) -> dict:
    vacancy = row.vacancy
    return {
        "id": vacancy.id,
        "title": vacancy.title,
        "pathway": row.pathway.slug,
        "employer": row.organisation.name,
        "site": {
            "id": row.site.id,
            "name": row.site.name,
            "postcode": row.site.postcode,
            "latitude": row.site.latitude,
            "longitude": row.site.longitude,
        },
        "distance_km": row.distance_km,
        "positions": vacancy.positions,
        "pay": {
            "min": vacancy.pay_min,
            "max": vacancy.pay_max,
            "period": vacancy.pay_period.value,
        },
        "hours_per_week": vacancy.hours_per_week,
        "shift_pattern": vacancy.shift_pattern.value,
        "closing_date": vacancy.closing_date.isoformat(),
        "ring_fenced": vacancy.ring_fenced,
        "guaranteed_interview": vacancy.guaranteed_interview,
        "description": vacancy.description,
    }


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "schema": schema, "description": description}


ERROR_RESPONSE = {
    "description": "A malformed or out-of-range parameter; the message names it.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
PATHWAY_SCHEMA = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "kind": {"enum": [kind.value for kind in PathwayKind]},
        "staff_group": {"type": "string"},
        "pay": {"type": "object"},
        "hours_per_week": {"type": ["number", "null"]},
        "apprenticeship": {
            "type": ["object", "null"],
            "properties": {
                "standard_code": {"type": "string", "pattern": "^ST[0-9]{4}$"},
                "level": {"type": "integer", "minimum": 2, "maximum": 7},
                "typical_duration_months": {"type": ["integer", "null"]},
            },
        },
        "entry_requirements": {"type": "object"},
        "description": {"type": "string"},
        "skills": {"type": "array", "items": {"type": "string"}},
        "source_url": {"type": ["string", "null"]},
        "url": {"type": "string"},
    },
    "required": ["slug", "title", "kind", "staff_group", "apprenticeship", "skills"],
}
VACANCY_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "pathway": {"type": "string", "description": "The pathway's slug"},
        "employer": {"type": "string"},
        "site": {"type": "object"},
        "distance_km": {"type": ["number", "null"]},
        "positions": {"type": "integer", "minimum": 1},
        "pay": {"type": "object"},
        "closing_date": {"type": "string", "format": "date"},
        "ring_fenced": {"type": "boolean"},
        "guaranteed_interview": {"type": "boolean"},
    },
    "required": ["id", "title", "pathway", "site", "closing_date"],
}

document(
    "/pathways",
    {
        "get": {
            "summary": "List pathways: entry roles, apprenticeships and pre-employment courses",
            "parameters": [
                _query("kind", {"enum": [k.value for k in PathwayKind]}, "Kind of pathway."),
                _query("staff_group", {"type": "string"}, "Exact staff group."),
                _query("level", {"type": "integer", "minimum": 2, "maximum": 7}, "Level."),
                _query("band", {"type": "string"}, "Pay band, e.g. 'Band 2' or 'Not AfC'."),
                _query("q", {"type": "string"}, "Search that tolerates typos ('portr')."),
                *PAGINATION_PARAMETERS,
            ],
            "responses": {
                "200": {
                    "description": "A page of pathways",
                    "content": {
                        "application/json": {"schema": page_schema("#/components/schemas/Pathway")}
                    },
                },
                "400": ERROR_RESPONSE,
            },
        }
    },
    {"Pathway": PATHWAY_SCHEMA},
)
document(
    "/pathways/{slug}",
    {
        "get": {
            "summary": "One pathway with its progression ladder",
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "The pathway; progression.up/.into: steps, nearest first",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Pathway"}}
                    },
                },
                "404": ERROR_RESPONSE | {"description": "No published pathway has this slug"},
            },
        }
    },
)
document(
    "/vacancies",
    {
        "get": {
            "summary": "List open vacancies",
            "parameters": [
                _query("pathway", {"type": "string"}, "Pathway slug."),
                _query("site", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "Site id."),
                _query("ring_fenced", {"type": "boolean"}, "true: only ring-fenced vacancies."),
                _query("postcode", {"type": "string"}, "Leeds postcode to measure from."),
                _query(
                    "within_km",
                    {"type": "number", "minimum": 0, "maximum": MAX_DISTANCE_KM},
                    "Only sites this close to the postcode (needs postcode).",
                ),
                *PAGINATION_PARAMETERS,
            ],
            "responses": {
                "200": {
                    "description": "A page of open vacancies",
                    "content": {
                        "application/json": {"schema": page_schema("#/components/schemas/Vacancy")}
                    },
                },
                "400": ERROR_RESPONSE,
            },
        }
    },
    {"Vacancy": VACANCY_SCHEMA},
)
