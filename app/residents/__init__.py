"""Residents, for advisors: caseload, registration, notes, consent, import and data rights.

Admins use the merge and retention review pages. Another organisation's resident is a 404.
"""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.auditing import audit_action
from app.auth.forms import EmptyForm
from app.database import db_session, requested_page
from app.forms import attach_errors, valid_values
from app.permissions import roles
from app.residents.forms import (
    CaseloadSearchForm,
    ConsentForm,
    EditResidentForm,
    ImportForm,
    MergeForm,
    NoteForm,
    RegisterResidentForm,
    ResidentForm,
    label,
)
from pathways import data_rights, resident_search
from pathways.clock import today
from pathways.csv_import import ImportRejected
from pathways.errors import NotFound, ValidationFailed
from pathways.geography import normalise_postcode
from pathways.models import AuditAction, ConsentKind, Resident, ResidentNote, ResidentStatus, Role
from pathways.resident_import import import_residents, resident_template
from pathways.resident_merge import merge_residents
from pathways.resident_search import (
    CaseloadQuery,
    CaseloadSort,
    NextActionFilter,
    full_name,
    likely_duplicates,
)
from pathways.residents import (
    ResidentDetails,
    add_note,
    consent_history,
    consents_in_force,
    mark_note_done,
    notes_of,
    parse_date,
    record_consent,
    register_resident,
    resident_for,
    resolve_skill_entries,
    set_status,
    skill_labels_of,
    split_skill_text,
    update_resident,
    validate_details,
)
from pathways.skills import suggest_skill_labels

bp = Blueprint("residents", __name__, url_prefix="/residents")

PAGE_SIZE = 25


@bp.get("/")
@roles(Role.ADVISOR)
def caseload():
    """The advisor's residents, searchable by name and filtered by area, decile, status, actions."""
    search = CaseloadSearchForm(request.args)
    search.validate()
    valid = valid_values(search)
    page = requested_page()
    query = CaseloadQuery(
        search=valid.get("search") or "",
        everyone_in_organisation=valid.get("whose") == "all",
        priority_area=valid.get("priority_area") or "",
        decile=int(valid["decile"]) if valid.get("decile") else None,
        status=ResidentStatus(valid["status"]) if valid.get("status") else None,
        next_action=NextActionFilter(valid["next_action"]) if valid.get("next_action") else None,
        sort=CaseloadSort(valid["sort"]) if valid.get("sort") else CaseloadSort.NAME,
    )
    rows, total = resident_search.caseload(
        session=db_session(),
        advisor=current_user,
        query=query,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render_template(
        "residents/caseload.html",
        search=search,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        query_args={k: v for k, v in request.args.items() if k != "page" and v},
        full_name=full_name,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ADVISOR)
def register():
    """Register a resident; a likely duplicate is shown and must be confirmed as someone else."""
    db = db_session()
    form = RegisterResidentForm()
    matches = []
    if form.validate_on_submit():
        details, skill_labels = _details_from(form)
        consent_on = _optional_date(form.consent_given_on)
        if not form.errors:
            matches = _likely_duplicates_of(details)
        if not form.errors and (not matches or form.register_anyway.data):
            try:
                resident = register_resident(
                    session=db,
                    advisor=current_user,
                    details=details,
                    skill_labels=skill_labels,
                    consent_to_hold_data=form.consent_to_hold_data.data,
                    share_with_employers=form.share_with_employers.data,
                    consent_given_on=consent_on,
                    priority_decile_threshold=_threshold(),
                )
            except ValidationFailed as error:
                attach_errors(form, error)
            else:
                audit_action(AuditAction.CREATE, "resident", resident.id, "registered")
                flash(f"{full_name(resident)} has been registered.")
                return redirect(url_for("residents.show", resident_id=resident.id))
    return render_template("residents/form.html", form=form, matches=matches, resident=None)


@bp.get("/<int:resident_id>")
@roles(Role.ADVISOR)
def show(resident_id: int):
    """A resident's details, area, consents, notes and next actions."""
    db = db_session()
    resident = _resident(resident_id)
    audit_action(AuditAction.VIEW, "resident", resident.id, "viewed resident page")
    return render_template(
        "residents/show.html",
        resident=resident,
        name=full_name(resident),
        skills=skill_labels_of(session=db, resident=resident),
        consents=consents_in_force(session=db, resident=resident),
        consent_history=consent_history(session=db, resident=resident),
        notes=notes_of(session=db, resident=resident),
        note_form=NoteForm(),
        consent_form=ConsentForm(),
        button_form=EmptyForm(),
        ConsentKind=ConsentKind,
        label=label,
    )


@bp.route("/<int:resident_id>/edit", methods=["GET", "POST"])
@roles(Role.ADVISOR)
def edit(resident_id: int):
    """Change a resident's details; the postcode is resolved again."""
    db = db_session()
    resident = _resident(resident_id)
    if request.method == "GET":
        form = EditResidentForm(data=_form_data(resident))
    else:
        form = EditResidentForm()
    if form.validate_on_submit():
        details, skill_labels = _details_from(form)
        if not form.errors:
            try:
                update_resident(
                    session=db,
                    resident=resident,
                    details=details,
                    skill_labels=skill_labels,
                    priority_decile_threshold=_threshold(),
                )
            except ValidationFailed as error:
                attach_errors(form, error)
            else:
                set_status(session=db, resident=resident, status=ResidentStatus(form.status.data))
                audit_action(AuditAction.UPDATE, "resident", resident.id, "details changed")
                flash("The changes have been saved.")
                return redirect(url_for("residents.show", resident_id=resident.id))
    return render_template("residents/form.html", form=form, matches=[], resident=resident)


@bp.post("/<int:resident_id>/notes")
@roles(Role.ADVISOR)
def new_note(resident_id: int):
    """Add a case note with an optional next action and due date."""
    resident = _resident(resident_id)
    form = NoteForm()
    if form.validate_on_submit():
        due_on = _optional_date(form.due_on)
        if not form.errors:
            try:
                add_note(
                    session=db_session(),
                    resident=resident,
                    author=current_user,
                    body=form.body.data,
                    next_action=form.next_action.data or "",
                    due_on=due_on,
                )
            except ValidationFailed as error:
                attach_errors(form, error)
            else:
                flash("The note has been added.")
                return redirect(url_for("residents.show", resident_id=resident.id))
    flash("The note was not added: " + "; ".join(m[0] for m in form.errors.values()))
    return redirect(url_for("residents.show", resident_id=resident.id, _anchor="notes"))


@bp.post("/<int:resident_id>/notes/<int:note_id>/done")
@roles(Role.ADVISOR)
def note_done(resident_id: int, note_id: int):
    """Mark a next action as done."""
    db = db_session()
    resident = _resident(resident_id)
    note = db.get(ResidentNote, note_id)
    if note is None or note.resident_id != resident.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    mark_note_done(session=db, note=note)
    flash(f"Done: {note.next_action}")
    return redirect(url_for("residents.show", resident_id=resident.id, _anchor="notes"))


@bp.post("/<int:resident_id>/consents")
@roles(Role.ADVISOR)
def change_consent(resident_id: int):
    """Grant or withdraw consent; withdrawn sharing hides the resident from employers at once."""
    resident = _resident(resident_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(400)
    given_on = _optional_date(form.given_on)
    if form.errors:
        flash("The consent was not changed: " + form.given_on.errors[0])
        return redirect(url_for("residents.show", resident_id=resident.id, _anchor="consent"))
    kind = ConsentKind(form.kind.data)
    granted = form.granted.data == "1"
    try:
        record_consent(
            session=db_session(),
            resident=resident,
            kind=kind,
            granted=granted,
            on=given_on or today(),
            by=current_user,
        )
    except ValidationFailed as error:
        flash(f"The consent was not changed: {error}")
    else:
        audit_action(
            AuditAction.UPDATE,
            "resident",
            resident.id,
            f"{kind.value} {'granted' if granted else 'withdrawn'}",
        )
        flash(f"{label(kind.value)}: {'granted' if granted else 'withdrawn'}.")
    return redirect(url_for("residents.show", resident_id=resident.id, _anchor="consent"))


@bp.get("/<int:resident_id>/export.json", defaults={"kind": "json"})
@bp.get("/<int:resident_id>/export.csv", defaults={"kind": "csv"})
@roles(Role.ADVISOR)
def export(resident_id: int, kind: str):
    """Everything held about the resident, for a subject access request."""
    resident = _resident(resident_id)
    data = data_rights.resident_data(session=db_session(), resident=resident)
    audit_action(AuditAction.EXPORT, "resident", resident.id, f"subject access export as {kind}")
    if kind == "json":
        body, mimetype = json.dumps(data, indent=2, ensure_ascii=False), "application/json"
    else:
        body, mimetype = data_rights.resident_data_csv(data), "text/csv"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=resident-{resident.id}.{kind}"},
    )


@bp.route("/<int:resident_id>/erase", methods=["GET", "POST"])
@roles(Role.ADVISOR)
def erase(resident_id: int):
    """Confirm, then erase the resident's personal data; anonymous milestones stay."""
    resident = _resident(resident_id)
    form = EmptyForm()
    if form.validate_on_submit():
        data_rights.erase_resident(session=db_session(), resident=resident)
        audit_action(AuditAction.ERASE, "resident", resident.id, "personal data erased")
        flash(f"Resident {resident.id}'s personal data has been erased.")
        return redirect(url_for("residents.caseload"))
    return render_template(
        "residents/erase.html", resident=resident, name=full_name(resident), form=form
    )


@bp.route("/import", methods=["GET", "POST"])
@roles(Role.ADVISOR)
def import_file():
    """Upload an existing spreadsheet; any bad row means nothing is stored."""
    form = ImportForm()
    row_errors, result = [], None
    if form.validate_on_submit():
        try:
            result = import_residents(
                session=db_session(),
                advisor=current_user,
                data=form.file.data.read(),
                priority_decile_threshold=_threshold(),
            )
        except ImportRejected as rejected:
            row_errors = rejected.row_errors
            form.file.errors.append(str(rejected))
        else:
            audit_action(
                AuditAction.CREATE,
                "resident",
                None,
                f"import: {len(result.created)} registered, "
                f"{result.already_registered} already registered",
            )
    status = 400 if row_errors else 200
    return render_template(
        "residents/import.html",
        form=form,
        row_errors=row_errors,
        result=result,
        full_name=full_name,
    ), status


@bp.get("/import/template.csv")
@roles(Role.ADVISOR)
def import_template():
    """The CSV template with the expected columns and an example row."""
    return Response(
        resident_template(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=residents-template.csv"},
    )


@bp.get("/skills/suggest")
@roles(Role.ADVISOR)
def suggest_skills():
    """Vocabulary labels for what has been typed so far, for the skills picker."""
    return jsonify(suggestions=suggest_skill_labels(request.args.get("q", "")[:100]))


@bp.get("/retention")
@roles(Role.ADVISOR, Role.ADMIN)
def retention():
    """Residents inactive for longer than the retention period, for review or erasure."""
    days = current_app.config["RETENTION_DAYS"]
    rows = data_rights.residents_due_for_review(
        session=db_session(),
        retention_days=days,
        organisation_id=None if current_user.role == Role.ADMIN else current_user.organisation_id,
    )
    return render_template("residents/retention.html", rows=rows, days=days, full_name=full_name)


@bp.route("/merge", methods=["GET", "POST"])
@roles(Role.ADMIN)
def merge():
    """Merge a duplicate into the record to keep, after seeing both side by side."""
    db = db_session()
    form = MergeForm()
    keep = duplicate = None
    if form.validate_on_submit():
        keep = _mergeable(form.keep_id)
        duplicate = _mergeable(form.duplicate_id)
        if keep and duplicate and form.confirm.data:
            try:
                moved = merge_residents(session=db, keep=keep, duplicate=duplicate)
            except ValidationFailed as error:
                attach_errors(form, error)
            else:
                audit_action(
                    AuditAction.MERGE,
                    "resident",
                    keep.id,
                    f"merged {duplicate.id} into {keep.id}: "
                    + ", ".join(f"{count} {name}" for name, count in moved.items()),
                )
                flash(f"Record {duplicate.id} has been merged into record {keep.id}.")
                return redirect(url_for("residents.merge"))
        elif keep and duplicate:
            for record in (keep, duplicate):
                audit_action(AuditAction.VIEW, "resident", record.id, "compared for merging")
    return render_template(
        "residents/merge.html", form=form, keep=keep, duplicate=duplicate, full_name=full_name
    )


def _mergeable(field) -> Resident | None:
    resident = db_session().get(Resident, field.data)
    if resident is None or resident.erased_at is not None or resident.merged_into_id is not None:
        field.errors.append("There is no record in use with that number")
        return None
    return resident


def _resident(resident_id: int) -> Resident:
    """Load a resident the current advisor may manage, or 404."""
    try:
        return resident_for(session=db_session(), user=current_user, resident_id=resident_id)
    except NotFound:
        abort(404)


def _details_from(form: ResidentForm) -> tuple[ResidentDetails, list[str]]:
    """The form as domain details and skill labels; typed skills not recognised become errors."""
    born = parse_date(form.date_of_birth.data)
    if form.date_of_birth.data and born is None:
        form.date_of_birth.errors.append("Enter a real date, like 31/03/1990")
    typed = resolve_skill_entries(split_skill_text(form.typed_skills.data))
    for entry, suggestions in typed.unrecognised.items():
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        form.typed_skills.errors.append(
            f"“{entry}” is not in the skills list.{hint} Or add it under other skills."
        )
    details = ResidentDetails(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        date_of_birth=born,
        email=form.email.data or "",
        phone=form.phone.data or "",
        address=form.address.data or "",
        postcode=form.postcode.data or "",
        work_history=form.work_history.data or "",
        informal_experience=form.informal_experience.data or "",
        interests=form.interests.data or "",
        qualifications=form.qualifications.data or "",
        other_skills=form.other_skills.data or "",
        english_level=form.english_level.data,
        maths_level=form.maths_level.data,
        highest_qualification_level=form.highest_qualification_level.data,
        has_driving_licence=form.has_driving_licence.data,
        has_right_to_work=form.has_right_to_work.data,
        available_hours_per_week=form.available_hours_per_week.data,
        available_days=form.available_days.data or [],
        no_nights=form.no_nights.data,
        part_time_only=form.part_time_only.data,
        max_travel_km=form.max_travel_km.data,
        barriers=form.barriers.data or [],
        agreed_supports=form.agreed_supports.data or "",
        sex=form.sex.data or None,
        ethnicity=form.ethnicity.data or None,
        disability=form.disability.data or None,
    )
    for name, message in validate_details(details).items():
        if not form[name].errors:
            form[name].errors.append(message)
    return details, list(dict.fromkeys((form.skills.data or []) + typed.labels))


def _form_data(resident: Resident) -> dict:
    """A stored resident as edit-form values."""
    details = ResidentDetails.of(resident)
    data = {name: getattr(details, name) for name in ResidentDetails.__dataclass_fields__}
    data["date_of_birth"] = resident.date_of_birth.strftime("%d/%m/%Y")
    data["skills"] = skill_labels_of(session=db_session(), resident=resident)
    data["status"] = resident.status.value
    for name in ("sex", "ethnicity", "disability"):
        data[name] = data[name] or ""
    return data


def _likely_duplicates_of(details: ResidentDetails):
    return likely_duplicates(
        session=db_session(),
        organisation_id=current_user.organisation_id,
        first_name=details.first_name,
        last_name=details.last_name,
        date_of_birth=details.date_of_birth,
        postcode=normalise_postcode(details.postcode),
    )


def _optional_date(field):
    """A typed date, or None when left blank; an unreadable date becomes the field's error."""
    if not (field.data or "").strip():
        return None
    parsed = parse_date(field.data)
    if parsed is None:
        field.errors.append("Enter a real date, like 31/03/2026")
    return parsed


def _threshold() -> int:
    return current_app.config["PRIORITY_DECILE_THRESHOLD"]
