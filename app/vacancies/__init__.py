"""Vacancies: employers post and manage their own; advisors browse the open ones."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.auditing import audit_action
from app.auth.forms import EmptyForm
from app.catalogue.forms import ImportForm
from app.database import db_session
from app.forms import attach_errors, valid_values
from app.permissions import roles
from app.vacancies.forms import SHIFT_NAMES, BrowseForm, VacancyForm
from pathways import vacancies
from pathways.csv_import import ImportRejected
from pathways.errors import NotFound, ValidationFailed
from pathways.models import AuditAction, PayPeriod, Role, ShiftPattern, Vacancy

bp = Blueprint("vacancies", __name__, url_prefix="/vacancies")


@bp.get("/")
@roles(Role.EMPLOYER)
def employer_list():
    """The employer's vacancies with how many people have been referred to each."""
    rows = vacancies.organisation_vacancies(
        session=db_session(), organisation_id=current_user.organisation_id
    )
    return render_template("vacancies/employer_list.html", rows=rows, form=EmptyForm())


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def new():
    form = _vacancy_form()
    if form.validate_on_submit():
        try:
            vacancy = vacancies.create_vacancy(
                session=db_session(), user=current_user, details=_details(form)
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            audit_action(AuditAction.CREATE, "vacancy", vacancy.id, vacancy.title)
            flash(f"{vacancy.title} is saved as a draft. Publish it when it is ready.")
            return redirect(url_for("vacancies.employer_list"))
    return render_template("vacancies/form.html", form=form, vacancy=None)


@bp.route("/<int:vacancy_id>/edit", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def edit(vacancy_id: int):
    vacancy = _own_vacancy(vacancy_id)
    form = _vacancy_form(obj=vacancy)
    if form.validate_on_submit():
        try:
            vacancies.update_vacancy(session=db_session(), vacancy=vacancy, details=_details(form))
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            audit_action(AuditAction.UPDATE, "vacancy", vacancy.id, "edited")
            flash(f"{vacancy.title} has been updated.")
            return redirect(url_for("vacancies.employer_list"))
    return render_template("vacancies/form.html", form=form, vacancy=vacancy)


@bp.post("/<int:vacancy_id>/publish")
@roles(Role.EMPLOYER)
def publish(vacancy_id: int):
    vacancy = _own_vacancy(vacancy_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        vacancies.publish_vacancy(session=db_session(), vacancy=vacancy)
    except ValidationFailed as error:
        flash(f"{vacancy.title} was not published: {'; '.join(error.errors.values())}.")
    else:
        audit_action(AuditAction.UPDATE, "vacancy", vacancy.id, "published")
        flash(f"{vacancy.title} is open for referrals.")
    return redirect(url_for("vacancies.employer_list"))


@bp.post("/<int:vacancy_id>/close")
@roles(Role.EMPLOYER)
def close(vacancy_id: int):
    vacancy = _own_vacancy(vacancy_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    vacancies.close_vacancy(session=db_session(), vacancy=vacancy)
    audit_action(AuditAction.UPDATE, "vacancy", vacancy.id, "closed")
    flash(f"{vacancy.title} is closed.")
    return redirect(url_for("vacancies.employer_list"))


@bp.route("/import", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def import_csv():
    """Upload vacancies as drafts: all are stored, or none, with every bad line listed."""
    form = ImportForm()
    row_errors = []
    if form.validate_on_submit():
        try:
            created = vacancies.import_vacancies(
                session=db_session(), user=current_user, data=form.file.data.read()
            )
        except ImportRejected as rejected:
            row_errors = rejected.row_errors
            form.file.errors.append(str(rejected))
        else:
            for vacancy in created:
                audit_action(
                    AuditAction.CREATE, "vacancy", vacancy.id, f"{vacancy.title} (CSV import)"
                )
            flash(f"{len(created)} vacancies imported as drafts.")
            return redirect(url_for("vacancies.employer_list"))
    return render_template(
        "catalogue/import.html",
        form=form,
        row_errors=row_errors,
        template_url=url_for("vacancies.import_template"),
        title="Import vacancies",
        noun="vacancy",
    )


@bp.get("/import/template.csv")
@roles(Role.EMPLOYER)
def import_template():
    sites = vacancies.employer_sites(
        session=db_session(), organisation_id=current_user.organisation_id
    )
    return Response(
        vacancies.vacancy_template(sites=sites),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=vacancies-template.csv"},
    )


@bp.get("/browse")
@roles(Role.ADVISOR)
def browse():
    """Open vacancies across the partnership, filtered by pathway, site, distance, ring-fence."""
    session = db_session()
    form = BrowseForm(request.args)
    form.pathway_id.choices = [SelectChoice("", "Any pathway")] + [
        SelectChoice(str(p.id), p.title) for p in vacancies.vacancy_pathways(session=session)
    ]
    form.site_id.choices = [SelectChoice("", "Any site")] + [
        SelectChoice(str(site.id), f"{site.name} ({organisation.name})")
        for site, organisation in vacancies.sites_with_open_vacancies(session=session)
    ]
    form.validate()
    valid = valid_values(form)
    filters = vacancies.VacancyFilter(
        pathway_id=int(valid["pathway_id"]) if valid.get("pathway_id") else None,
        site_id=int(valid["site_id"]) if valid.get("site_id") else None,
        ring_fenced_only=bool(valid.get("ring_fenced")),
        postcode=(valid.get("postcode") or "").strip(),
        within_km=float(valid["within_km"]) if valid.get("within_km") is not None else None,
    )
    try:
        rows = vacancies.open_vacancies(session=session, filters=filters)
    except ValidationFailed as error:
        attach_errors(form, error)
        rows = []
    return render_template("vacancies/browse.html", form=form, rows=rows, shift_names=SHIFT_NAMES)


def _own_vacancy(vacancy_id: int) -> Vacancy:
    """The employer's own vacancy; another organisation's is a 404."""
    try:
        return vacancies.vacancy_of_organisation(
            session=db_session(),
            organisation_id=current_user.organisation_id,
            vacancy_id=vacancy_id,
        )
    except NotFound:
        abort(404)


def _vacancy_form(obj: Vacancy | None = None) -> VacancyForm:
    session = db_session()
    form = VacancyForm(obj=obj)
    form.pathway_id.choices = [SelectChoice(0, "Choose a job or apprenticeship")] + [
        SelectChoice(p.id, f"{p.title} ({p.pay_band})" if p.pay_band else p.title)
        for p in vacancies.vacancy_pathways(session=session)
    ]
    form.site_id.choices = [SelectChoice(0, "Choose a site")] + [
        SelectChoice(site.id, f"{site.name} ({site.postcode})")
        for site in vacancies.employer_sites(
            session=session, organisation_id=current_user.organisation_id
        )
    ]
    return form


def _details(form: VacancyForm) -> vacancies.VacancyDetails:
    def number(field):
        return float(field.data) if field.data is not None else None

    return vacancies.VacancyDetails(
        pathway_id=form.pathway_id.data or None,
        site_id=form.site_id.data or None,
        title=form.title.data or "",
        positions=form.positions.data,
        pay_min=number(form.pay_min),
        pay_max=number(form.pay_max),
        pay_period=PayPeriod(form.pay_period.data),
        hours_per_week=number(form.hours_per_week),
        shift_pattern=ShiftPattern(form.shift_pattern.data),
        closing_date=form.closing_date.data,
        ring_fenced=form.ring_fenced.data,
        guaranteed_interview=form.guaranteed_interview.data,
        description=form.description.data or "",
    )
