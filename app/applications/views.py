"""Applications: employers list and move their own; the resident's advisors see them read-only.

Each move is a POST of one small form carrying the version the user saw. A refused move puts
the domain's message beside the field; a stale version re-shows the page with a conflict (409).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from app.applications import UK_TIME, bp
from app.applications.forms import (
    ApplicationFilterForm,
    CheckForm,
    CloseForm,
    InterviewForm,
    MoveForm,
    OfferForm,
    StartJobForm,
)
from app.auditing import audit_action
from app.database import db_session, discard_changes
from app.forms import attach_errors, valid_values
from app.matching import NAMED_STAGES
from app.permissions import roles
from app.residents.forms import label
from pathways import progress
from pathways.clock import today
from pathways.errors import ConflictError, ValidationFailed
from pathways.models import (
    Application,
    ApplicationStage,
    AuditAction,
    CheckKind,
    CheckStatus,
    ClosingReason,
    Pathway,
    PayPeriod,
    PreEmploymentCheck,
    Resident,
    Role,
    Vacancy,
)
from pathways.resident_search import full_name
from pathways.vacancies import employer_sites, organisation_vacancies, vacancy_pathways

Stage = ApplicationStage


class Move(NamedTuple):
    """A move the page offers: its form, the stage it leads to, and the domain step it takes."""

    form: type[MoveForm]
    to: ApplicationStage | None  # None: closing, which has two outcomes
    step: Callable[..., object]
    arguments: Callable[[Any], dict[str, object]]  # the step's arguments from the form


def _uk_datetime(form: InterviewForm) -> datetime:
    """The interview's date and UK wall-clock time as an aware datetime."""
    return datetime.combine(form.interview_at.data, form.interview_time.data, tzinfo=UK_TIME)


def _job_arguments(form: StartJobForm) -> dict[str, object]:
    return {"on": form.on.data, "site_id": form.site_id.data, "pathway_id": form.pathway_id.data}


def _close_arguments(form: CloseForm) -> dict[str, object]:
    return {
        "outcome": Stage(form.outcome.data),
        "reason": ClosingReason(form.reason.data),
        "note": form.note.data or "",
    }


# Every move by the name the page and the URL know it by, in the order the page offers them.
MOVES: dict[str, Move] = {
    "shortlist": Move(MoveForm, Stage.SHORTLISTED, progress.shortlist, lambda form: {}),
    "interview": Move(
        InterviewForm,
        Stage.INTERVIEW,
        progress.schedule_interview,
        lambda form: {"interview_at": _uk_datetime(form)},
    ),
    "offer": Move(OfferForm, Stage.OFFER, progress.make_offer, lambda form: {"on": form.on.data}),
    "checks": Move(MoveForm, Stage.CHECKS, progress.start_checks, lambda form: {}),
    "job": Move(
        StartJobForm,
        Stage.JOB_STARTED,
        progress.start_job,
        lambda form: _job_arguments(form) | form.pay_details(),
    ),
    "close": Move(CloseForm, None, progress.close_application, _close_arguments),
}


@bp.get("/applications/")
@roles(Role.EMPLOYER)
def employer_list():
    """The organisation's applications by stage, filtered by vacancy and stage."""
    db = db_session()
    vacancies = organisation_vacancies(session=db, organisation_id=current_user.organisation_id)
    filters = ApplicationFilterForm(request.args)
    filters.vacancy_id.choices = [SelectChoice("", "All vacancies")] + [
        SelectChoice(str(row.vacancy.id), row.vacancy.title) for row in vacancies
    ]
    filters.validate()
    valid = valid_values(filters)
    vacancy_id, stage = valid.get("vacancy_id"), valid.get("stage")
    rows = progress.employer_applications(
        session=db,
        organisation_id=current_user.organisation_id,
        vacancy_id=int(vacancy_id) if vacancy_id else None,
        stage=Stage(stage) if stage else None,
    )
    return render_template(
        "applications/list.html",
        filters=filters,
        rows=rows,
        candidate_name=candidate_name,
        label=label,
    )


@bp.get("/applications/<int:application_id>")
@roles(Role.EMPLOYER, Role.ADVISOR)
def show(application_id: int):
    """One application: its stage and, for the employer, only the moves allowed next."""
    application = _visible_application(application_id)
    audit_action(AuditAction.VIEW, "application", application.id, "viewed application")
    return _page(application)


@bp.post("/applications/<int:application_id>/<move>")
@roles(Role.EMPLOYER)
def move(application_id: int, move: str):
    """Make one move; the domain refuses a move the table does not allow, or a stale one."""
    application = _visible_application(application_id)
    if move not in MOVES:
        abort(404)
    vacancy = db_session().get(Vacancy, application.vacancy_id)
    if not progress.can_move_application(current_user, vacancy):
        abort(403)
    form = _move_form(move, application, vacancy)
    if not form.validate_on_submit():
        return _page(application, failed={move: form}, status=400)
    step, arguments = MOVES[move].step, MOVES[move].arguments
    return _attempt(
        application,
        move,
        form,
        lambda: step(
            session=db_session(),
            application=application,
            expected_version=form.version.data,
            by=current_user,
            **arguments(form),
        ),
    )


@bp.post("/applications/<int:application_id>/checks/<kind>")
@roles(Role.EMPLOYER)
def check(application_id: int, kind: str):
    """Set one pre-employment check's status and the date it reached it."""
    application = _visible_application(application_id)
    if kind not in set(CheckKind):
        abort(404)
    vacancy = db_session().get(Vacancy, application.vacancy_id)
    if not progress.can_move_application(current_user, vacancy):
        abort(403)
    name = f"check-{kind}"
    form = CheckForm(prefix=name)
    if not form.validate_on_submit():
        return _page(application, failed={name: form}, status=400)
    return _attempt(
        application,
        name,
        form,
        lambda: progress.record_check(
            session=db_session(),
            application=application,
            kind=CheckKind(kind),
            status=CheckStatus(form.status.data),
            on=form.on.data,
            expected_version=form.version.data,
            by=current_user,
        ),
    )


def candidate_name(application: Application, resident) -> str:
    """The resident's name from interview on; before that, a number, as on the shortlist."""
    if application.stage in NAMED_STAGES or application.interview_at is not None:
        return full_name(resident)
    return f"Candidate R{resident.id:05d}"


def _attempt(application: Application, name: str, form: FlaskForm, act: Callable[[], object]):
    """Run a move; show a refusal beside its field, or a conflict with a reload link."""
    try:
        act()
    except ConflictError as error:
        discard_changes()
        return _page(application, conflict=str(error), status=409)
    except ValidationFailed as error:
        attach_errors(form, error)
        return _page(application, failed={name: form}, status=400)
    flash(f"Saved. The application is now at: {label(application.stage.value).lower()}.")
    return redirect(url_for("applications.show", application_id=application.id))


def _visible_application(application_id: int) -> Application:
    """The application if the user may see it; otherwise 404, so others' are not revealed."""
    db = db_session()
    application = db.get(Application, application_id)
    if application is None or not progress.can_view_application(
        session=db, user=current_user, application=application
    ):
        abort(404)
    return application


def _move_form(name: str, application: Application, vacancy: Vacancy, **kwargs) -> MoveForm:
    """The move's form, prefixed so several forms on one page keep distinct field ids."""
    form = MOVES[name].form(prefix=name, **kwargs)
    if isinstance(form, StartJobForm):
        db = db_session()
        sites = employer_sites(session=db, organisation_id=vacancy.organisation_id)
        form.site_id.choices = [SelectChoice(site.id, site.name) for site in sites]
        pathways = vacancy_pathways(session=db)
        if vacancy.pathway_id not in {pathway.id for pathway in pathways}:
            pathways.insert(0, db.get(Pathway, vacancy.pathway_id))
        form.pathway_id.choices = [SelectChoice(p.id, p.title) for p in pathways]
    return form


def _job_defaults(vacancy: Vacancy) -> dict[str, object]:
    """A job start's details as the vacancy advertised them."""
    pathway = db_session().get(Pathway, vacancy.pathway_id)
    pay_field = "hourly_pay" if vacancy.pay_period == PayPeriod.HOURLY else "annual_pay"
    return {
        "site_id": vacancy.site_id,
        "pathway_id": vacancy.pathway_id,
        "pay_band": pathway.pay_band if pathway else None,
        "hours_per_week": vacancy.hours_per_week,
        pay_field: vacancy.pay_min,
    }


def _fresh_forms(
    application: Application, vacancy: Vacancy, checks: list[PreEmploymentCheck]
) -> dict[str, FlaskForm]:
    """A form for each move the state machine allows next, carrying the current version."""
    allowed = progress.allowed_moves(application)
    version = {"version": application.version}
    forms: dict[str, FlaskForm] = {}
    for name, move in MOVES.items():
        if move.to is None or move.to not in allowed:
            continue
        data = dict(version)
        if name == "job":
            data |= _job_defaults(vacancy) | {"on": today()}
        elif name == "offer":
            data["on"] = today()
        forms[name] = _move_form(name, application, vacancy, data=data, formdata=None)
    if allowed & set(progress.CLOSING_OUTCOMES):
        forms["close"] = _move_form("close", application, vacancy, data=version, formdata=None)
    if application.stage == Stage.CHECKS:
        for check in checks:
            name = f"check-{check.kind.value}"
            forms[name] = CheckForm(
                prefix=name,
                formdata=None,
                data=version | {"status": check.status.value, "on": check.status_on},
            )
    return forms


def _page(
    application: Application,
    *,
    failed: dict[str, FlaskForm] | None = None,
    conflict: str | None = None,
    status: int = 200,
):
    """The application page; a failed form is shown as submitted, with its errors."""
    db = db_session()
    vacancy = db.get(Vacancy, application.vacancy_id)
    resident = db.get(Resident, application.resident_id)
    can_move = progress.can_move_application(current_user, vacancy)
    checks = progress.checks_for(session=db, application=application)
    forms = _fresh_forms(application, vacancy, checks) if can_move else {}
    failed = failed or {}
    forms |= failed  # a refused form stays on the page, its message beside it
    return (
        render_template(
            "applications/show.html",
            application=application,
            vacancy=vacancy,
            resident=resident,
            # The resident's own advisors always know who they are.
            name=candidate_name(application, resident) if can_move else full_name(resident),
            forms=forms,
            form=next(iter(failed.values()), None),
            conflict=conflict,
            can_move=can_move,
            checks=checks,
            label=label,
        ),
        status,
    )
