"""Outcome reports for programme leads, and anchor measures for employers.

Every format of a report (page, board pack, CSV, XLSX and the API) is built from the same
published tables, so the numbers agree and disclosure control is applied once.
"""

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from app.api.params import int_param
from app.database import MAX_ID, db_session
from app.permissions import roles
from app.reports.charts import bar_chart, funnel_chart, trend_chart
from app.reports.forms import ReportChooserForm
from pathways.clock import today
from pathways.disclosure import DisclosureRules
from pathways.models import Role
from pathways.report_exports import tables_to_csv, tables_to_xlsx
from pathways.reporting import (
    ReportScope,
    Table,
    anchor_measures,
    anchor_tables,
    build_report,
    check_scope,
    report_choices,
    report_tables,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCOPE_PARAMETERS = ("cohort", "programme", "employer", "from", "to")


def disclosure_rules() -> DisclosureRules:
    """The thresholds from settings (REPORT_MIN_COUNT, REPORT_MIN_DENOMINATOR)."""
    return DisclosureRules(
        min_count=current_app.config["REPORT_MIN_COUNT"],
        min_denominator=current_app.config["REPORT_MIN_DENOMINATOR"],
    )


@bp.get("/")
@roles(Role.PROGRAMME_LEAD)
def index():
    """Choose a cohort, programme, partner employer or period to report on."""
    form = ReportChooserForm(request.args).with_choices(report_choices(session=db_session()))
    if request.args and form.validate():
        values = {
            "cohort": form.cohort.data or None,
            "programme": form.programme.data or None,
            "employer": form.employer.data or None,
            "from": form.starts_from.data.isoformat() if form.starts_from.data else None,
            "to": form.starts_to.data.isoformat() if form.starts_to.data else None,
        }
        return redirect(url_for("reports.outcomes", **{k: v for k, v in values.items() if v}))
    return render_template("reports/index.html", form=form)


@bp.get("/outcomes")
@roles(Role.PROGRAMME_LEAD)
def outcomes():
    """The outcome report page: funnel, cohorts side by side, trend and breakdowns."""
    return _page("reports/report.html", *_outcome_tables())


@bp.get("/outcomes/board-pack")
@roles(Role.PROGRAMME_LEAD)
def board_pack():
    """The same report laid out for printing and board papers."""
    return _page("reports/board_pack.html", *_outcome_tables())


@bp.get("/outcomes.csv")
@roles(Role.PROGRAMME_LEAD)
def outcomes_csv():
    title, tables = _outcome_tables()
    return _download(tables_to_csv(title, tables), "text/csv; charset=utf-8", "outcomes.csv")


@bp.get("/outcomes.xlsx")
@roles(Role.PROGRAMME_LEAD)
def outcomes_xlsx():
    title, tables = _outcome_tables()
    return _download(tables_to_xlsx(title, tables), XLSX, "outcomes.xlsx")


@bp.get("/anchor")
@roles(Role.EMPLOYER, Role.PROGRAMME_LEAD)
def anchor():
    """An employer's anchor measures: its own for employers, any employer's for leads."""
    return _page("reports/anchor.html", *_anchor_tables())


@bp.get("/anchor.csv")
@roles(Role.EMPLOYER, Role.PROGRAMME_LEAD)
def anchor_csv():
    title, tables = _anchor_tables()
    return _download(tables_to_csv(title, tables), "text/csv; charset=utf-8", "anchor.csv")


@bp.get("/anchor.xlsx")
@roles(Role.EMPLOYER, Role.PROGRAMME_LEAD)
def anchor_xlsx():
    title, tables = _anchor_tables()
    return _download(tables_to_xlsx(title, tables), XLSX, "anchor.xlsx")


def scope_from_request() -> ReportScope:
    """The scope in the query string; a malformed value is a 400, an unknown id a 404."""
    unknown = sorted(set(request.args) - set(SCOPE_PARAMETERS))
    if unknown:
        abort(400, f"Unknown parameter {unknown[0]!r}")
    scope = ReportScope(
        cohort_id=_id_arg("cohort"),
        programme_id=_id_arg("programme"),
        employer_id=_id_arg("employer"),
        starts_from=_date_arg("from"),
        starts_to=_date_arg("to"),
    )
    check_scope(session=db_session(), scope=scope)
    return scope


def _outcome_tables():
    session = db_session()
    report = build_report(session=session, scope=scope_from_request(), as_of=today())
    return report.title, report_tables(report, disclosure_rules())


def _anchor_tables():
    if current_user.role == Role.EMPLOYER:
        if request.args:
            abort(400, "Employers see their own organisation's anchor measures only")
        employer_id = current_user.organisation_id
    else:
        employer_id = _id_arg("employer")
        if employer_id is None:
            abort(400, "Choose an employer")
    measures = anchor_measures(session=db_session(), employer_id=employer_id, as_of=today())
    tables = anchor_tables(measures, disclosure_rules())
    return tables[0].title, tables


def _id_arg(name: str) -> int | None:
    """An id in the query string (400 if it is not one any table can hold), or None."""
    return int_param(name, minimum=1, maximum=MAX_ID)


def _date_arg(name: str) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, f"Parameter {name!r} must be a date like 2019-04-01")


def _page(template: str, title: str, tables: list[Table]) -> str:
    """A report page: its tables, their charts, and links that keep the same scope."""
    return render_template(
        template,
        title=title,
        tables=tables,
        as_of=today(),
        rules=disclosure_rules(),
        query=request.query_string.decode(),
        charts=_charts(tables),
    )


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _charts(tables: list[Table]) -> dict[str, Markup]:
    """Charts drawn from the published tables, so they show exactly the table's figures."""
    by_key = {table.key: table for table in tables}
    charts = {}
    if "funnel" in by_key:
        steps = [(row[0], row[1], row[3]) for row in by_key["funnel"].rows]
        charts["funnel"] = funnel_chart(steps, title="Outcomes", chart_id="chart-funnel")
    if "trend" in by_key:
        points = [(row[0], row[-1]) for row in by_key["trend"].rows if row[0] != "Total"]
        charts["trend"] = trend_chart(
            points,
            "Started a job, of those who started the programme (%)",
            title="Into work rate by quarter of cohort start",
            percent=True,
            chart_id="chart-trend",
        )
    for key in ("by_priority_area", "by_imd_decile"):
        if key in by_key:
            table = by_key[key]
            charts[key] = bar_chart(
                [(row[0], row[-1]) for row in table.rows if row[0] != "Total"],
                title=f"Into work rate (%), {table.title[0].lower()}{table.title[1:]}",
                percent=True,
                max_value=100,
                chart_id=f"chart-{key}",
            )
    if "anchor" in by_key:
        charts["anchor"] = bar_chart(
            [(row[0], row[3]) for row in by_key["anchor"].rows[1:]],
            title="Share of entry-role and apprenticeship starts (%)",
            percent=True,
            max_value=100,
            chart_id="chart-anchor",
        )
    return charts
