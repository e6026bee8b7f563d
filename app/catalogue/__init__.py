"""The public pathway catalogue (no sign-in), and its CSV import for admins and programme leads."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from app.auditing import audit_action
from app.catalogue.forms import CatalogueFilterForm, ImportForm
from app.database import db_session
from app.forms import valid_values
from app.permissions import public, roles
from pathways import catalogue
from pathways.csv_import import ImportRejected
from pathways.errors import NotFound
from pathways.models import AuditAction, PathwayKind, Role
from pathways.vacancies import VacancyFilter, open_vacancies

bp = Blueprint("catalogue", __name__, url_prefix="/pathways")


@bp.get("/")
@public
def index():
    """Every published pathway, with filters and a search that tolerates typos."""
    session = db_session()
    options = catalogue.filter_options(session=session)
    form = CatalogueFilterForm(request.args)
    form.kind.choices = [SelectChoice("", "Any kind")] + [
        SelectChoice(kind.value, KIND_NAMES[kind]) for kind in options["kinds"]
    ]
    form.staff_group.choices = [SelectChoice("", "Any staff group")] + [
        SelectChoice(group, group) for group in options["staff_groups"]
    ]
    form.level.choices = [SelectChoice("", "Any level")] + [
        SelectChoice(str(level), f"Level {level}") for level in options["levels"]
    ]
    form.band.choices = [SelectChoice("", "Any pay band")] + [
        SelectChoice(band, band) for band in options["bands"]
    ]
    form.validate()
    valid = valid_values(form)
    filters = catalogue.CatalogueFilter(
        kind=PathwayKind(valid["kind"]) if valid.get("kind") else None,
        staff_group=valid.get("staff_group") or "",
        level=int(valid["level"]) if valid.get("level") else None,
        band=valid.get("band") or "",
        query=(valid.get("q") or "").strip(),
    )
    pathways = catalogue.search_pathways(session=session, filters=filters)
    return render_template(
        "catalogue/index.html",
        search=form,
        pathways=pathways,
        kind_names=KIND_NAMES,
        filtered=any(
            request.args.get(name) for name in ("kind", "staff_group", "level", "band", "q")
        ),
    )


@bp.get("/<slug>")
@public
def detail(slug: str):
    """One pathway: what it is, what it asks for, its ladder and its open vacancies."""
    session = db_session()
    try:
        pathway = catalogue.pathway_by_slug(session=session, slug=slug)
    except NotFound:
        abort(404)
    skills = catalogue.skill_labels_of(session=session, pathways=[pathway]).get(pathway.id, [])
    return render_template(
        "catalogue/detail.html",
        pathway=pathway,
        skills=skills,
        kind_names=KIND_NAMES,
        ladder=catalogue.ladder_for(session=session, pathway=pathway),
        vacancies=open_vacancies(session=session, filters=VacancyFilter(pathway_id=pathway.id)),
    )


@bp.route("/import", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.PROGRAMME_LEAD)
def import_csv():
    """Upload catalogue rows: all are stored, or none, with every bad line listed."""
    form = ImportForm()
    row_errors = []
    if form.validate_on_submit():
        try:
            summary = catalogue.import_catalogue(db_session(), form.file.data.read())
        except ImportRejected as rejected:
            row_errors = rejected.row_errors
            form.file.errors.append(str(rejected))
        else:
            audit_action(
                AuditAction.CREATE,
                "pathway",
                None,
                f"catalogue import: {summary.created} added, {summary.updated} updated",
            )
            flash(
                f"Catalogue imported: {summary.created} added, {summary.updated} updated, "
                f"{summary.unchanged} unchanged."
            )
            return redirect(url_for("catalogue.import_csv"))
    return render_template(
        "catalogue/import.html",
        form=form,
        row_errors=row_errors,
        template_url=url_for("catalogue.import_template"),
        title="Import pathways",
        noun="pathway",
    )


@bp.get("/import/template.csv")
@roles(Role.ADMIN, Role.PROGRAMME_LEAD)
def import_template():
    return Response(
        catalogue.catalogue_template(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=pathways-template.csv"},
    )


KIND_NAMES = {
    PathwayKind.ENTRY_ROLE: "Entry role",
    PathwayKind.APPRENTICESHIP: "Apprenticeship",
    PathwayKind.PRE_EMPLOYMENT: "Pre-employment course",
}
