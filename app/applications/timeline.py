"""A resident's progress for their advisor: the milestone timeline, the forms that add to it,
and corrections, which are new events superseding the old (nothing is overwritten)."""

from collections.abc import Callable
from functools import cached_property

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlmodel import col, select
from wtforms import SelectChoice

from app.applications import bp
from app.applications.forms import (
    IN_WORK_VALUES,
    CorrectionForm,
    JobMilestoneForm,
    LeftJobForm,
    ProgressionForm,
    RecordJobStartForm,
    SustainmentForm,
)
from app.auditing import audit_action
from app.database import db_session, discard_changes
from app.forms import attach_errors
from app.permissions import roles
from app.residents.forms import label
from pathways import progress
from pathways.clock import today
from pathways.errors import ConflictError, ValidationFailed
from pathways.models import (
    EMPLOYER_KINDS,
    AuditAction,
    Evidence,
    MilestoneEvent,
    MilestoneKind,
    Organisation,
    Pathway,
    ProgressionKind,
    Resident,
    Role,
    Site,
)
from pathways.programmes import partner_employers
from pathways.resident_search import full_name
from pathways.residents import resident_for
from pathways.vacancies import vacancy_pathways

# Milestone forms by the name the URL and the page know them by.
RECORD_FORMS: dict[str, type[FlaskForm]] = {
    "job-start": RecordJobStartForm,
    "sustainment": SustainmentForm,
    "left-job": LeftJobForm,
    "progression": ProgressionForm,
}
JOB_FIELDS = ("pay_band", "hours_per_week", "annual_pay", "hourly_pay")
NO_CHOICE = 0
NOT_RECORDED = SelectChoice(NO_CHOICE, "Not recorded")


@bp.get("/residents/<int:resident_id>/progress")
@roles(Role.ADVISOR)
def resident_progress(resident_id: int):
    """The resident's milestones in order, superseded ones marked, and forms to add more."""
    resident = _resident(resident_id)
    audit_action(AuditAction.VIEW, "resident", resident.id, "viewed progress timeline")
    return _page(resident, _Choices(resident))


@bp.post("/residents/<int:resident_id>/progress/<kind>")
@roles(Role.ADVISOR)
def record(resident_id: int, kind: str):
    """Record a job start, a sustainment check, leaving a job or a progression."""
    resident = _resident(resident_id)
    if kind not in RECORD_FORMS:
        abort(404)
    choices = _Choices(resident)
    form = _record_form(kind, choices)
    if form.validate_on_submit():
        try:
            event = RECORDERS[kind](resident, form)
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            audit_action(AuditAction.CREATE, "milestone_event", event.id, _describe(event))
            flash(f"Recorded: {_describe(event)}.")
            return redirect(url_for("applications.resident_progress", resident_id=resident.id))
    return _page(resident, choices, failed={kind: form}, status=400)


@bp.route(
    "/residents/<int:resident_id>/progress/events/<int:event_id>/correct", methods=["GET", "POST"]
)
@roles(Role.ADVISOR)
def correct(resident_id: int, event_id: int):
    """Correct an event: a new event supersedes it, and the original stays in the history."""
    db = db_session()
    resident = _resident(resident_id)
    event = db.get(MilestoneEvent, event_id)
    if event is None or event.resident_id != resident.id:
        abort(404)
    if event.superseded_by_id is not None:
        flash("That event has already been corrected; this is the latest version.")
        return redirect(url_for(".correct", resident_id=resident.id, event_id=_latest(event).id))
    form = _correction_form(event)
    status = 200
    if form.validate_on_submit():
        try:
            corrected = progress.correct_milestone(
                session=db, event=event, by=current_user, **_changes(form)
            )
        except ConflictError as error:
            discard_changes()
            form.form_errors.append(str(error))
            status = 409
        except ValidationFailed as error:
            attach_errors(form, error)
            status = 400
        else:
            audit_action(
                AuditAction.UPDATE,
                "milestone_event",
                corrected.id,
                f"corrected event {event.id}: {_describe(corrected)}",
            )
            flash(f"Corrected: {_describe(corrected)}. The earlier version is kept as superseded.")
            return redirect(url_for("applications.resident_progress", resident_id=resident.id))
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "applications/correct.html",
            resident=resident,
            name=full_name(resident),
            event=event,
            form=form,
            describe=_describe,
        ),
        status,
    )


def _record_job_start(resident: Resident, form: RecordJobStartForm) -> MilestoneEvent:
    return progress.record_job_start(
        session=db_session(),
        resident=resident,
        on=form.occurred_on.data,
        employer_id=form.employer_id.data,
        by=current_user,
        evidence=Evidence(form.evidence.data),
        site_id=form.site_id.data or None,
        pathway_id=form.pathway_id.data or None,
        note=form.note.data or "",
        **form.pay_details(),
    )


def _record_sustainment(resident: Resident, form: SustainmentForm) -> MilestoneEvent:
    return progress.record_sustainment_check(
        session=db_session(),
        job_start=_job_start(resident, form),
        weeks=form.weeks_after_start.data,
        in_work=IN_WORK_VALUES[form.in_work.data],
        on=form.occurred_on.data,
        evidence=Evidence(form.evidence.data),
        by=current_user,
        note=form.note.data or "",
    )


def _record_left_job(resident: Resident, form: LeftJobForm) -> MilestoneEvent:
    return progress.record_left_job(
        session=db_session(),
        job_start=_job_start(resident, form),
        on=form.occurred_on.data,
        by=current_user,
        evidence=Evidence(form.evidence.data),
        note=form.note.data or "",
    )


def _record_progression(resident: Resident, form: ProgressionForm) -> MilestoneEvent:
    return progress.record_progression(
        session=db_session(),
        job_start=_job_start(resident, form),
        kind=ProgressionKind(form.progression_kind.data),
        on=form.occurred_on.data,
        by=current_user,
        evidence=Evidence(form.evidence.data),
        site_id=form.site_id.data or None,
        pathway_id=form.pathway_id.data or None,
        note=form.note.data or "",
        **form.pay_details(),
    )


RECORDERS: dict[str, Callable[[Resident, FlaskForm], MilestoneEvent]] = {
    "job-start": _record_job_start,
    "sustainment": _record_sustainment,
    "left-job": _record_left_job,
    "progression": _record_progression,
}


def _job_start(resident: Resident, form: JobMilestoneForm) -> MilestoneEvent:
    """The chosen job start, which must be one of this resident's current ones."""
    starts = {s.id: s for s in progress.job_starts(session=db_session(), resident=resident)}
    job_start = starts.get(form.job_start_id.data)
    if job_start is None:
        raise ValidationFailed(
            "Choose one of the resident's jobs", {"job_start_id": "Choose a job"}
        )
    return job_start


def _resident(resident_id: int) -> Resident:
    """A resident the advisor may manage; any other is NotFound, which is a 404."""
    return resident_for(session=db_session(), user=current_user, resident_id=resident_id)


def _latest(event: MilestoneEvent) -> MilestoneEvent:
    db = db_session()
    while event.superseded_by_id is not None:
        event = db.get(MilestoneEvent, event.superseded_by_id)
    return event


def _describe(event: MilestoneEvent) -> str:
    """An event in words, for flash messages and audit entries."""
    if event.kind == MilestoneKind.SUSTAINMENT_CHECK:
        answer = {True: "in work", False: "not in work", None: "not yet known"}[event.in_work]
        return f"{event.weeks_after_start}-week check ({answer}) on {event.occurred_on:%d/%m/%Y}"
    return f"{label(event.kind.value).lower()} on {event.occurred_on:%d/%m/%Y}"


class _Choices:
    """Names and choices the timeline's forms share, each read at most once per request."""

    def __init__(self, resident: Resident):
        self.resident = resident

    @cached_property
    def names(self) -> dict[str, dict[int, str]]:
        """Names of organisations, sites and pathways, to describe events and fill choices."""
        db = db_session()
        return {
            "organisations": dict(db.exec(select(Organisation.id, Organisation.name)).all()),
            "sites": dict(db.exec(select(Site.id, Site.name)).all()),
            "pathways": dict(db.exec(select(Pathway.id, Pathway.title)).all()),
        }

    @cached_property
    def jobs(self) -> list[SelectChoice]:
        organisations = self.names["organisations"]
        return [
            SelectChoice(
                start.id,
                f"{organisations.get(start.employer_id, 'Employer')}, "
                f"started {start.occurred_on:%d/%m/%Y}",
            )
            for start in progress.job_starts(session=db_session(), resident=self.resident)
        ]

    @cached_property
    def sites(self) -> list[SelectChoice]:
        sites = (
            db_session()
            .exec(
                select(Site, Organisation)
                .join(Organisation, Organisation.id == Site.organisation_id)
                .where(col(Organisation.kind).in_(EMPLOYER_KINDS), Site.is_active)
                .order_by(Organisation.name, Site.name)
            )
            .all()
        )
        return [NOT_RECORDED] + [
            SelectChoice(site.id, f"{organisation.name}: {site.name}")
            for site, organisation in sites
        ]

    @cached_property
    def pathways(self) -> list[SelectChoice]:
        return [NOT_RECORDED] + [
            SelectChoice(pathway.id, pathway.title)
            for pathway in vacancy_pathways(session=db_session())
        ]

    @cached_property
    def employers(self) -> list[SelectChoice]:
        return [SelectChoice(o.id, o.name) for o in partner_employers(session=db_session())]


def _record_form(kind: str, choices: _Choices, **kwargs) -> FlaskForm:
    """The form, prefixed so the page's several forms keep distinct ids, with its choices."""
    form = RECORD_FORMS[kind](prefix=kind, **kwargs)
    if isinstance(form, JobMilestoneForm):
        form.job_start_id.choices = choices.jobs
    if "site_id" in form:
        form.site_id.choices = choices.sites
        form.pathway_id.choices = choices.pathways
    if "employer_id" in form:
        form.employer_id.choices = choices.employers
    return form


def _fresh_forms(choices: _Choices) -> dict[str, FlaskForm]:
    """Empty forms dated today; a due-list link preselects the job and the check."""
    forms = {}
    for kind in RECORD_FORMS:
        data = {"occurred_on": today()}
        if kind == "sustainment":
            data |= {
                "job_start_id": request.args.get("job_start", type=int),
                "weeks_after_start": request.args.get("weeks", type=int),
            }
        forms[kind] = _record_form(kind, choices, data=data, formdata=None)
    return forms


def _page(
    resident: Resident,
    choices: _Choices,
    *,
    failed: dict[str, FlaskForm] | None = None,
    status: int = 200,
):
    db = db_session()
    forms = _fresh_forms(choices) | (failed or {})
    events = progress.timeline(session=db, resident=resident, include_superseded=True)
    return (
        render_template(
            "applications/timeline.html",
            resident=resident,
            name=full_name(resident),
            events=events,
            names=choices.names,
            has_job=bool(choices.jobs),
            applications=progress.resident_applications(session=db, resident=resident),
            forms=forms,
            form=next(iter((failed or {}).values()), None),
            label=label,
        ),
        status,
    )


def _correction_form(event: MilestoneEvent) -> CorrectionForm:
    """The event's correctable details, prefilled; fields that do not apply are removed."""
    values = {name: getattr(event, name) for name in ("occurred_on", "note", *JOB_FIELDS)}
    values["evidence"] = event.evidence.value
    values["in_work"] = {True: "yes", False: "no", None: "unknown"}[event.in_work]
    form = CorrectionForm(data=values)
    form.evidence.choices = [SelectChoice(e.value, label(e.value)) for e in Evidence]
    if event.kind != MilestoneKind.SUSTAINMENT_CHECK:
        del form.in_work
    if event.kind not in (MilestoneKind.JOB_STARTED, MilestoneKind.PROGRESSED):
        for name in JOB_FIELDS:
            delattr(form, name)
    return form


def _changes(form: CorrectionForm) -> dict[str, object]:
    changes = {
        "occurred_on": form.occurred_on.data,
        "evidence": Evidence(form.evidence.data),
        "note": (form.note.data or "").strip(),
    }
    if "in_work" in form:
        changes["in_work"] = IN_WORK_VALUES[form.in_work.data]
    if "pay_band" in form:
        changes |= form.pay_details()
    return changes
