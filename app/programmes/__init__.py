"""Programmes and cohorts: advisors of the provider run them; programme leads see counts only.

Every view loads (404), checks the programme's provider (403), then acts. Residents' names are
shown only to the provider's advisors; employers have no pages here.
"""

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import Field, SelectChoice

from app.auditing import audit_action
from app.database import db_session
from app.forms import attach_errors, valid_values
from app.permissions import roles
from app.programmes.forms import (
    ACTION_NAMES,
    DATE_FORMAT,
    AttendanceForm,
    BulkUpdateForm,
    ChooseCohortForm,
    CohortForm,
    EnrolForm,
    ProgrammeForm,
)
from app.residents.forms import CaseloadSearchForm
from pathways import resident_search
from pathways.catalogue import CatalogueFilter, search_pathways
from pathways.clock import today
from pathways.errors import ValidationFailed
from pathways.models import (
    AuditAction,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Resident,
    Role,
)
from pathways.programmes import (
    EnrolmentAction,
    EnrolmentUpdate,
    attendance_counts,
    can_manage_programme,
    can_view_programme,
    cohort_enrolments,
    cohort_summaries,
    cohorts_of,
    cohorts_open_for_enrolment,
    create_cohort,
    create_programme,
    enrol,
    get_cohort,
    get_programme,
    organisation_name,
    partner_employers,
    programmes_for,
    record_cohort_attendance,
    register_on,
    session_dates,
    target_pathways,
    update_enrolments_in_bulk,
)
from pathways.resident_search import CaseloadQuery, full_name
from pathways.residents import parse_date, resident_for

bp = Blueprint("programmes", __name__, url_prefix="/programmes")

VIEWERS = (Role.ADVISOR, Role.PROGRAMME_LEAD)
SEARCH_LIMIT = 25


@dataclass(frozen=True)
class EnrolmentRow:
    """One resident on the cohort page, with their attendance and any error from the last try."""

    enrolment: Enrolment
    name: str
    attended: int
    recorded: int
    error: str | None = None


@bp.get("/")
@roles(*VIEWERS)
def index():
    """Programmes the user may see, with their cohorts and places taken."""
    return render_template(
        "programmes/index.html",
        rows=programmes_for(session=db_session(), user=current_user),
        can_create=current_user.role == Role.ADVISOR,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ADVISOR)
def new():
    """Set up a programme run by the advisor's organisation."""
    db = db_session()
    form = ProgrammeForm()
    form.target_pathway_ids.choices = [
        SelectChoice(p.id, p.title) for p in search_pathways(session=db, filters=CatalogueFilter())
    ]
    form.partner_employer_id.choices = _employer_choices("No partner employer")
    if form.validate_on_submit():
        try:
            programme = create_programme(
                session=db,
                name=form.name.data,
                by=current_user,
                description=form.description.data or "",
                target_pathway_ids=form.target_pathway_ids.data or [],
                partner_employer_id=form.partner_employer_id.data,
                duration_weeks=form.duration_weeks.data,
                guaranteed_interview=form.guaranteed_interview.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"{programme.name} has been set up. Add its first cohort.")
            return redirect(url_for("programmes.show", programme_id=programme.id))
    provider = organisation_name(session=db, organisation_id=current_user.organisation_id)
    return render_template("programmes/form.html", form=form, provider=provider)


@bp.get("/<int:programme_id>")
@roles(*VIEWERS)
def show(programme_id: int):
    """A programme's details and its cohorts' counts."""
    db = db_session()
    programme = _programme(programme_id)
    return render_template(
        "programmes/show.html",
        programme=programme,
        provider=organisation_name(session=db, organisation_id=programme.provider_organisation_id),
        partner=organisation_name(session=db, organisation_id=programme.partner_employer_id),
        pathways=target_pathways(session=db, programme=programme),
        summaries=cohort_summaries(session=db, cohorts=cohorts_of(session=db, programme=programme)),
        can_manage=can_manage_programme(current_user, programme),
    )


@bp.route("/<int:programme_id>/cohorts/new", methods=["GET", "POST"])
@roles(Role.ADVISOR)
def new_cohort(programme_id: int):
    """Add a run of the programme, with its dates, venue and places."""
    programme = _programme(programme_id, manage=True)
    form = CohortForm()
    form.partner_employer_id.choices = _employer_choices("The programme's partner employer")
    if form.validate_on_submit():
        try:
            cohort = create_cohort(
                session=db_session(),
                programme=programme,
                name=form.name.data,
                starts_on=form.starts_on.day,
                ends_on=form.ends_on.day,
                by=current_user,
                venue=form.venue.data or "",
                capacity=form.capacity.data,
                partner_employer_id=form.partner_employer_id.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"{cohort.name} has been added. Enrol residents on it.")
            return redirect(url_for("programmes.cohort", cohort_id=cohort.id))
    return render_template("programmes/cohort_form.html", form=form, programme=programme)


@bp.get("/cohorts/<int:cohort_id>")
@roles(*VIEWERS)
def cohort(cohort_id: int):
    """The cohort's places and attendance; its residents and bulk changes for the provider."""
    cohort, programme = _cohort(cohort_id)
    form = BulkUpdateForm(formdata=None)
    return _render_cohort(cohort, programme, form, {})


@bp.post("/cohorts/<int:cohort_id>/progress")
@roles(Role.ADVISOR)
def bulk_update(cohort_id: int):
    """Mark the selected residents started, completed or left early: all of them or none."""
    cohort, programme = _cohort(cohort_id, manage=True)
    db = db_session()
    form = BulkUpdateForm()
    form.enrolment_ids.choices = [
        SelectChoice(enrolment.id, "")
        for enrolment, _ in cohort_enrolments(session=db, cohort=cohort)
    ]
    row_errors: dict[int, str] = {}
    if form.validate_on_submit():
        action = EnrolmentAction(form.action.data)
        ids = form.enrolment_ids.data
        note = (form.reason.data or "").strip() if action == EnrolmentAction.LEAVE_EARLY else ""
        try:
            update_enrolments_in_bulk(
                session=db,
                cohort=cohort,
                action=action,
                rows=[EnrolmentUpdate(enrolment_id, form.on.day, note) for enrolment_id in ids],
                by=current_user,
            )
        except ValidationFailed as error:
            row_errors = _row_errors(error, ids)
            form.form_errors.append(str(error))
        else:
            audit_action(
                AuditAction.UPDATE,
                "cohort",
                cohort.id,
                f"{action.value} on {form.on.day.isoformat()} for {len(ids)} residents",
            )
            flash(f"{ACTION_NAMES[action]}: {len(ids)} resident{'' if len(ids) == 1 else 's'}.")
            return redirect(url_for("programmes.cohort", cohort_id=cohort.id))
    return _render_cohort(cohort, programme, form, row_errors), 400


@bp.route("/cohorts/<int:cohort_id>/attendance", methods=["GET", "POST"])
@roles(Role.ADVISOR)
def attendance(cohort_id: int):
    """The register for one session; a resident's first attended session starts them."""
    cohort, programme = _cohort(cohort_id, manage=True)
    db = db_session()
    people = [
        (enrolment, _name(resident))
        for enrolment, resident in cohort_enrolments(session=db, cohort=cohort)
        if enrolment.status != EnrolmentStatus.LEFT_EARLY
    ]
    form = AttendanceForm()
    form.attended.choices = [SelectChoice(enrolment.id, name) for enrolment, name in people]
    row_errors: dict[int, str] = {}
    if form.validate_on_submit():
        chosen = set(form.attended.data or [])
        register = {enrolment.id: enrolment.id in chosen for enrolment, _ in people}
        try:
            record_cohort_attendance(
                session=db,
                cohort=cohort,
                session_on=form.session_on.day,
                attendance=register,
                by=current_user,
            )
        except ValidationFailed as error:
            if "session_on" in error.errors:  # about the session, not about one person
                form.session_on.errors.append(str(error))
            else:
                row_errors = _row_errors(error, list(register))
                form.form_errors.append(str(error))
        else:
            present = sum(register.values())
            audit_action(
                AuditAction.UPDATE,
                "cohort",
                cohort.id,
                f"register for {form.session_on.day.isoformat()}: {present} of {len(register)}",
            )
            flash(
                f"Register saved for {form.session_on.day:%-d %B %Y}: "
                f"{present} of {len(register)} attended."
            )
            return redirect(url_for("programmes.cohort", cohort_id=cohort.id))
    elif request.method == "GET":
        day = parse_date(request.args.get("on", "")) or _default_session(cohort)
        form.session_on.data = day.strftime(DATE_FORMAT)
        recorded = register_on(session=db, cohort=cohort, session_on=day)
        form.attended.data = [enrolment_id for enrolment_id, came in recorded.items() if came]
    status = 400 if form.errors or row_errors else 200
    return render_template(
        "programmes/attendance.html",
        register_form=form,
        cohort=cohort,
        programme=programme,
        people=people,
        row_errors=row_errors,
        dates=session_dates(session=db, cohort=cohort),
    ), status


@bp.route("/cohorts/<int:cohort_id>/enrol", methods=["GET", "POST"])
@roles(Role.ADVISOR)
def enrol_residents(cohort_id: int):
    """Find residents on the caseload and enrol them, within the cohort's places."""
    cohort, programme = _cohort(cohort_id, manage=True)
    db = db_session()
    search = CaseloadSearchForm(request.args)
    search.validate()
    valid = valid_values(search)
    query = CaseloadQuery(
        search=valid.get("search") or "", everyone_in_organisation=valid.get("whose") == "all"
    )
    rows, total = resident_search.caseload(
        session=db, advisor=current_user, query=query, limit=SEARCH_LIMIT
    )
    form = EnrolForm()
    if form.validate_on_submit():
        resident = resident_for(session=db, user=current_user, resident_id=form.resident_id.data)
        if _enrolled(form, form.resident_id, cohort, resident):
            return redirect(request.full_path)
    enrolled = {
        enrolment.resident_id for enrolment, _ in cohort_enrolments(session=db, cohort=cohort)
    }
    [summary] = cohort_summaries(session=db, cohorts=[cohort])
    return render_template(
        "programmes/enrol.html",
        form=form,
        search=search,
        rows=rows,
        total=total,
        enrolled=enrolled,
        summary=summary,
        cohort=cohort,
        programme=programme,
        full_name=full_name,
    ), 400 if form.errors else 200


@bp.route("/residents/<int:resident_id>/enrol", methods=["GET", "POST"])
@roles(Role.ADVISOR)
def choose_cohort(resident_id: int):
    """Enrol a resident from their page on one of the provider's cohorts that has not finished."""
    db = db_session()
    resident = resident_for(session=db, user=current_user, resident_id=resident_id)
    options = cohorts_open_for_enrolment(session=db, user=current_user)
    summaries = cohort_summaries(session=db, cohorts=[cohort for cohort, _ in options])
    form = ChooseCohortForm()
    form.cohort_id.choices = [
        SelectChoice(cohort.id, f"{programme.name}: {cohort.name}") for cohort, programme in options
    ]
    if form.validate_on_submit():
        cohort = get_cohort(session=db, cohort_id=form.cohort_id.data)
        if _enrolled(form, form.cohort_id, cohort, resident):
            return redirect(url_for("residents.show", resident_id=resident.id))
    return render_template(
        "programmes/choose_cohort.html",
        form=form,
        resident=resident,
        name=full_name(resident),
        options=list(zip(options, summaries, strict=True)),
    ), 400 if form.errors else 200


def _programme(programme_id: int, *, manage: bool = False) -> Programme:
    """Load a programme (404), then check the user may see or run it (403)."""
    programme = get_programme(session=db_session(), programme_id=programme_id)
    allowed = can_manage_programme if manage else can_view_programme
    if not allowed(current_user, programme):
        abort(403)
    return programme


def _cohort(cohort_id: int, *, manage: bool = False) -> tuple[Cohort, Programme]:
    """Load a cohort and its programme (404), then check the user may see or run it (403)."""
    cohort = get_cohort(session=db_session(), cohort_id=cohort_id)
    return cohort, _programme(cohort.programme_id, manage=manage)


def _render_cohort(
    cohort: Cohort, programme: Programme, form: BulkUpdateForm, row_errors: dict[int, str]
) -> str:
    """The cohort page; residents' names only for the provider's advisors, counts for others."""
    db = db_session()
    [summary] = cohort_summaries(session=db, cohorts=[cohort])
    can_manage = can_manage_programme(current_user, programme)
    rows = []
    if can_manage:
        counts = attendance_counts(session=db, cohort=cohort)
        rows = [
            EnrolmentRow(
                enrolment,
                _name(resident),
                *counts.get(enrolment.id, (0, 0)),
                row_errors.get(enrolment.id),
            )
            for enrolment, resident in cohort_enrolments(session=db, cohort=cohort)
        ]
        audit_action(AuditAction.VIEW, "cohort", cohort.id, "viewed the cohort's residents")
    return render_template(
        "programmes/cohort.html",
        cohort=cohort,
        programme=programme,
        partner=organisation_name(session=db, organisation_id=cohort.partner_employer_id),
        summary=summary,
        can_manage=can_manage,
        rows=rows,
        bulk_form=form,
        selected=set(form.enrolment_ids.data or []),
        EnrolmentStatus=EnrolmentStatus,
    )


def _name(resident: Resident) -> str:
    """The resident's name for their own organisation's advisors; otherwise just their number."""
    if resident.organisation_id == current_user.organisation_id:
        return full_name(resident)
    return f"Resident {resident.id} (another organisation)"


def _row_errors(error: ValidationFailed, ids: list[int]) -> dict[int, str]:
    """``rows-<index>`` errors from an all-or-nothing change, keyed by the row's enrolment id."""
    return {
        ids[int(key.removeprefix("rows-"))]: message
        for key, message in error.errors.items()
        if key.startswith("rows-")
    }


def _enrolled(
    form: EnrolForm | ChooseCohortForm, choice: Field, cohort: Cohort, resident: Resident
) -> bool:
    """Enrol, or put the refusal beside the date (a date problem) or the choice (anything else)."""
    try:
        enrol(
            session=db_session(),
            cohort=cohort,
            resident=resident,
            on=form.enrolled_on.day,
            by=current_user,
        )
    except ValidationFailed as error:
        field = form.enrolled_on if "on" in error.errors else choice
        attach_errors(form, ValidationFailed(str(error), {field.name: str(error)}))
        return False
    flash(f"{full_name(resident)} has been enrolled on {cohort.name}.")
    return True


def _employer_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(organisation.id, organisation.name)
        for organisation in partner_employers(session=db_session())
    ]


def _default_session(cohort: Cohort) -> date:
    """Today, within the cohort's dates."""
    return min(max(today(), cohort.starts_on), cohort.ends_on)
