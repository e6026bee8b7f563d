"""Due lists: an advisor's sustainment checks due this week and overdue, per cohort and resident;
an employer's hires' 13/26/52-week checks, confirmed in bulk, all or nothing."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from app.applications import bp
from app.applications.forms import IN_WORK_VALUES, BulkConfirmForm
from app.auditing import audit_action
from app.database import db_session
from app.permissions import roles
from pathways import progress
from pathways.clock import today
from pathways.errors import ValidationFailed
from pathways.models import (
    Application,
    AuditAction,
    MilestoneEvent,
    Pathway,
    Resident,
    Role,
    Vacancy,
)
from pathways.progress import DueState, SustainmentConfirmation, SustainmentDue
from pathways.resident_search import full_name


@bp.get("/due-checks")
@roles(Role.ADVISOR)
def advisor_due():
    """Checks due this week and overdue for the advisor's caseload (or whole organisation)."""
    everyone = request.args.get("whose") == "all"
    scope = (
        {"organisation_id": current_user.organisation_id}
        if everyone
        else {"advisor_id": current_user.id}
    )
    due = progress.sustainment_checks_due(session=db_session(), **scope)
    return render_template(
        "applications/due_checks.html",
        groups=progress.due_by_cohort(session=db_session(), due=due),
        overdue=sum(item.state == DueState.OVERDUE for item in due),
        total=len(due),
        everyone=everyone,
        full_name=full_name,
    )


@bp.route("/sustainment-checks", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def employer_checks():
    """The employer's hires whose checks are due; confirm several at once, all or nothing."""
    db = db_session()
    due = progress.sustainment_checks_due(session=db, employer_id=current_user.organisation_id)
    if request.method == "GET":
        form = BulkConfirmForm(
            data={
                "rows": [
                    {"job_start_id": item.job_start.id, "weeks": item.weeks, "on": today()}
                    for item in due
                ]
            }
        )
    else:
        form = BulkConfirmForm()
    status = 200
    problems: list[dict[str, str]] = []
    if form.validate_on_submit():
        chosen = [entry for entry in form.rows if entry.answer.data]
        missing_dates = [entry for entry in chosen if entry.on.data is None]
        for entry in missing_dates:
            entry.on.errors = [*entry.on.errors, "Enter the date you confirmed this"]
        if not chosen:
            problems.append({"text": "Choose a status for at least one hire", "href": "#rows"})
        elif not missing_dates:
            try:
                saved = progress.confirm_sustainment_in_bulk(
                    session=db, rows=[_confirmation(entry) for entry in chosen], by=current_user
                )
            except ValidationFailed as error:
                for key, message in error.errors.items():
                    entry = chosen[int(key.removeprefix("rows-"))]
                    entry.answer.errors = [*entry.answer.errors, message]
                problems.append({"text": str(error), "href": "#rows"})
            else:
                for event in saved:
                    audit_action(
                        AuditAction.CREATE,
                        "milestone_event",
                        event.id,
                        f"employer confirmed the {event.weeks_after_start}-week check",
                    )
                flash(f"Saved {len(saved)} {'check' if len(saved) == 1 else 'checks'}.")
                return redirect(url_for("applications.employer_checks"))
    if request.method == "POST":
        status = 400
        problems += _row_problems(form)
    return (
        render_template(
            "applications/sustainment_checks.html",
            bulk=form,
            rows=_row_details(form, due),
            problems=problems,
            DueState=DueState,
        ),
        status,
    )


def _confirmation(entry) -> SustainmentConfirmation:
    return SustainmentConfirmation(
        job_start_id=entry.job_start_id.data,
        weeks=entry.weeks.data,
        in_work=IN_WORK_VALUES[entry.answer.data],
        on=entry.on.data,
    )


def _row_problems(form: BulkConfirmForm) -> list[dict[str, str]]:
    """Each row's errors for the error summary, linking to the row's field."""
    problems = []
    for number, entry in enumerate(form.rows, start=1):
        for field in (entry.answer, entry.on):
            problems += [
                {"text": f"Row {number}: {message}", "href": f"#{field.id}"}
                for message in field.errors
            ]
    return problems


def _row_details(form: BulkConfirmForm, due: list[SustainmentDue]) -> list[dict[str, object]]:
    """What each form row is about: the hire, the job, the check and when it fell due."""
    db = db_session()
    by_key = {(item.job_start.id, item.weeks): item for item in due}
    residents = {
        resident.id: resident
        for resident in db.exec(
            select(Resident).where(col(Resident.id).in_({item.resident_id for item in due}))
        )
    }
    titles = _job_titles([item.job_start for item in due])
    rows = []
    for entry in form.rows:
        item = by_key.get((entry.job_start_id.data, entry.weeks.data))
        rows.append(
            {
                "entry": entry,
                "item": item,
                "name": full_name(residents[item.resident_id]) if item else "No longer due",
                "job": titles[item.job_start.id] if item else "",
            }
        )
    return rows


def _job_titles(job_starts: list[MilestoneEvent]) -> dict[int, str]:
    """Per job start: the vacancy the hire came through, or the role recorded with the start
    (two queries for the whole list)."""
    db = db_session()
    application_ids = {s.application_id for s in job_starts if s.application_id is not None}
    pathway_ids = {s.pathway_id for s in job_starts if s.pathway_id is not None}
    vacancies = dict(
        db.exec(
            select(Application.id, Vacancy.title)
            .join(Vacancy, Vacancy.id == Application.vacancy_id)
            .where(col(Application.id).in_(application_ids))
        ).all()
    )
    pathways = dict(
        db.exec(select(Pathway.id, Pathway.title).where(col(Pathway.id).in_(pathway_ids))).all()
    )
    return {
        start.id: vacancies[start.application_id]
        if start.application_id is not None
        else pathways.get(start.pathway_id, "Job")
        for start in job_starts
    }
