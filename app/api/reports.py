"""Cohort outcome reports as JSON, for programme leads; the same tables as the report page."""

from app.api import bp
from app.api.openapi import document
from app.database import db_session
from app.permissions import roles
from app.reports import disclosure_rules
from pathways.clock import today
from pathways.models import Cohort, Programme, Role
from pathways.programmes import get_cohort
from pathways.reporting import ReportScope, build_report, report_tables, tables_as_json


@bp.get("/reports/cohorts/<int:cohort_id>")
@roles(Role.PROGRAMME_LEAD)
def cohort_report(cohort_id: int):
    """One cohort's outcome report, small numbers suppressed exactly as on the page."""
    session = db_session()
    cohort: Cohort = get_cohort(session=session, cohort_id=cohort_id)
    programme = session.get(Programme, cohort.programme_id)
    rules = disclosure_rules()
    report = build_report(session=session, scope=ReportScope(cohort_id=cohort.id), as_of=today())
    tables = report_tables(report, rules)
    funnel = next(table for table in tables if table.key == "funnel")
    return {
        "cohort": {
            "id": cohort.id,
            "name": cohort.name,
            "programme": programme.name,
            "starts_on": cohort.starts_on.isoformat(),
            "ends_on": cohort.ends_on.isoformat(),
        },
        "title": report.title,
        "as_of": report.as_of.isoformat(),
        "disclosure": {"min_count": rules.min_count, "min_denominator": rules.min_denominator},
        "funnel": [
            {
                "stage": key,
                "label": row[0],
                "number": row[1],
                "out_of": row[2],
                "rate_percent": row[3],
                "not_yet_known": None if row[4] == "" else row[4],
            }
            for key, row in zip(report.funnel.index, funnel.rows, strict=True)
        ],
        "tables": tables_as_json(tables),
    }


_FIGURE = {
    "type": ["integer", "number", "string"],
    "description": "A count or whole percentage, or a symbol where it is hidden: "
    '"<5" (1 to 4 people), "[c]" (hidden so a small number cannot be worked out), '
    '"[low]" (rate out of fewer than 10 people).',
}
document(
    "/reports/cohorts/{cohort_id}",
    {
        "get": {
            "summary": "A cohort's outcome report",
            "description": "Registered, started, completed, interviewed, offered, started a job, "
            "in work at 13, 26 and 52 weeks and progressed, with numerators, denominators and "
            "rates, breakdowns, and the median days to work. Statistical disclosure control is "
            "applied as on the report page. Programme leads only: 401 when not signed in, 403 "
            "for other roles, 404 for an unknown cohort.",
            "parameters": [
                {
                    "name": "cohort_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "200": {
                    "description": "The cohort's report",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CohortReport"}
                        }
                    },
                },
                **{
                    status: {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    }
                    for status, description in (
                        ("401", "Not signed in"),
                        ("403", "Not a programme lead"),
                        ("404", "No such cohort"),
                    )
                },
            },
        }
    },
    {
        "CohortReport": {
            "type": "object",
            "properties": {
                "cohort": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "programme": {"type": "string"},
                        "starts_on": {"type": "string", "format": "date"},
                        "ends_on": {"type": "string", "format": "date"},
                    },
                },
                "title": {"type": "string"},
                "as_of": {"type": "string", "format": "date"},
                "disclosure": {
                    "type": "object",
                    "properties": {
                        "min_count": {"type": "integer"},
                        "min_denominator": {"type": "integer"},
                    },
                },
                "funnel": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "stage": {"type": "string"},
                            "label": {"type": "string"},
                            "number": _FIGURE,
                            "out_of": _FIGURE,
                            "rate_percent": _FIGURE,
                            "not_yet_known": {"type": ["integer", "string", "null"]},
                        },
                    },
                },
                "tables": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "key": {"type": "string"},
                            "title": {"type": "string"},
                            "columns": {"type": "array", "items": {"type": "string"}},
                            "rows": {"type": "array", "items": {"type": "array"}},
                            "note": {"type": "string"},
                        },
                    },
                },
            },
            "required": ["cohort", "as_of", "funnel", "tables"],
        }
    },
)
