"""Matching in the browser: a resident's ranked pathways and vacancies; employers' shortlists."""

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from app.auditing import audit_action
from app.auth.forms import EmptyForm
from app.database import db_session
from app.permissions import roles
from pathways.clock import today
from pathways.errors import ValidationFailed
from pathways.matchmaking import (
    matches_for_resident,
    refer,
    shortlist_for_vacancy,
    warm_caches,
)
from pathways.models import (
    Application,
    ApplicationStage,
    AuditAction,
    ConsentKind,
    Resident,
    Role,
    Vacancy,
)
from pathways.permissions import can_manage_resident, can_manage_vacancy, has_current_consent

bp = Blueprint("matching", __name__)


def warm_up(app: Flask) -> None:
    """Fit the matcher and read the shortlist pool before a worker serves (gunicorn hook)."""
    with app.app_context():
        session = db_session()
        warm_caches(session=session, today=today())
        session.commit()  # building the catalogue closes vacancies past their closing date


# From this stage on an employer sees the names of candidates even when names are hidden.
NAMED_STAGES = frozenset(
    {
        ApplicationStage.INTERVIEW,
        ApplicationStage.OFFER,
        ApplicationStage.CHECKS,
        ApplicationStage.JOB_STARTED,
    }
)


@bp.get("/residents/<int:resident_id>/matches")
@roles(Role.ADVISOR)
def resident_matches(resident_id: int):
    """Ranked pathways and open vacancies for one resident, with reasons and a Refer button."""
    db = db_session()
    resident = _managed_resident(resident_id)
    matches = matches_for_resident(session=db, resident=resident, today=today())
    referred = set(
        db.exec(select(Application.vacancy_id).where(Application.resident_id == resident.id))
    )
    can_share = has_current_consent(
        session=db, resident=resident, kind=ConsentKind.SHARE_WITH_EMPLOYERS
    )
    return render_template(
        "matching/resident_matches.html",
        resident=resident,
        matches=matches,
        referred=referred,
        can_share=can_share,
        form=EmptyForm(),
    )


@bp.post("/residents/<int:resident_id>/referrals/<int:vacancy_id>")
@roles(Role.ADVISOR)
def refer_resident(resident_id: int, vacancy_id: int):
    """Refer the resident to an open vacancy; only with their consent to share."""
    db = db_session()
    resident = _managed_resident(resident_id)
    vacancy = db.get(Vacancy, vacancy_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form has expired. Go back and try again.")
    try:
        refer(session=db, resident=resident, vacancy=vacancy, user=current_user, today=today())
    except ValidationFailed as error:
        flash(str(error), "error")
    else:
        flash(f"Referred to {vacancy.title}. The employer can now see this referral.")
    return redirect(url_for("matching.resident_matches", resident_id=resident.id))


@bp.get("/vacancies/<int:vacancy_id>/shortlist")
@roles(Role.EMPLOYER)
def vacancy_shortlist(vacancy_id: int):
    """The consenting residents who best fit a vacancy; names hidden until interview by default."""
    db = db_session()
    vacancy = db.get(Vacancy, vacancy_id)
    if vacancy is None or not can_manage_vacancy(current_user, vacancy):
        abort(404)
    show_names = request.args.get("names") == "show"
    candidates = shortlist_for_vacancy(session=db, vacancy=vacancy, today=today())
    stages = dict(
        db.exec(
            select(Application.resident_id, Application.stage).where(
                Application.vacancy_id == vacancy.id
            )
        ).all()
    )
    audit_action(
        AuditAction.VIEW,
        "vacancy_shortlist",
        vacancy.id,
        f"{len(candidates)} candidates, names {'shown' if show_names else 'hidden'}",
    )
    return render_template(
        "matching/shortlist.html",
        vacancy=vacancy,
        candidates=candidates,
        stages=stages,
        named={
            c.resident.id
            for c in candidates
            if show_names or stages.get(c.resident.id) in NAMED_STAGES
        },
        show_names=show_names,
    )


def _managed_resident(resident_id: int) -> Resident:
    """The advisor's own resident, or 404 (another organisation's residents are not known here)."""
    resident = db_session().get(Resident, resident_id)
    if resident is None or not can_manage_resident(current_user, resident):
        abort(404)
    return resident
