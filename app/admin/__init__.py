"""Administration: users, organisations and sites, and the audit log. Admins only."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.admin.forms import AuditSearchForm, OrganisationForm, SiteForm, UserForm
from app.auditing import audit_action
from app.auth.forms import EmptyForm
from app.database import db_session, requested_page
from app.forms import attach_errors, valid_values
from app.permissions import guard_blueprint
from pathways import accounts, organisations
from pathways.audit import AuditQuery, search_audit
from pathways.errors import ValidationFailed
from pathways.exports import to_csv
from pathways.models import AuditAction, Organisation, OrganisationKind, Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard_blueprint(bp, Role.ADMIN)

AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_LIMIT = 100_000


@bp.get("/")
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    """Every user in the partnership, with buttons to deactivate or reset a password."""
    return render_template(
        "admin/users.html", rows=accounts.all_users(session=db_session()), form=EmptyForm()
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    db = db_session()
    form = UserForm()
    form.organisation_id.choices = [
        SelectChoice(o.id, o.name) for o in organisations.all_organisations(session=db)
    ]
    if form.validate_on_submit():
        organisation = db.get(Organisation, form.organisation_id.data) or abort(400)
        try:
            user = accounts.create_user(
                session=db,
                email=form.email.data,
                full_name=form.full_name.data,
                role=Role(form.role.data),
                organisation=organisation,
                password=form.password.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            audit_action(AuditAction.CREATE, "user", user.id, f"{user.email} as {user.role.value}")
            flash(f"{user.full_name} can now sign in as {user.email}.")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form)


@bp.post("/users/<int:user_id>/active")
def set_active(user_id: int):
    """Deactivate or restore an account; deactivating signs the person out everywhere."""
    db = db_session()
    user = db.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.")
        return redirect(url_for("admin.users"))
    active = request.form.get("active") == "1"
    accounts.set_user_active(session=db, user=user, active=active)
    audit_action(AuditAction.UPDATE, "user", user.id, "reactivated" if active else "deactivated")
    flash(f"{user.full_name} has been {'reactivated' if active else 'deactivated'}.")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-password")
def reset_password(user_id: int):
    """Issue a one-time reset link; it is written to the outbox and shown to the admin."""
    db = db_session()
    user = db.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    link = accounts.issue_password_reset(
        session=db,
        user=user,
        issued_by=current_user,
        link_base=request.host_url + "reset-password",
    )
    audit_action(AuditAction.UPDATE, "user", user.id, "password reset link issued")
    return render_template("admin/reset_link.html", user=user, link=link)


@bp.get("/organisations")
def organisations_list():
    return render_template(
        "admin/organisations.html",
        organisations=organisations.all_organisations(session=db_session()),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = organisations.create_organisation(
                session=db_session(),
                name=form.name.data,
                kind=OrganisationKind(form.kind.data),
                ods_code=form.ods_code.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            audit_action(AuditAction.CREATE, "organisation", organisation.id, organisation.name)
            flash(f"{organisation.name} has been added.")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/organisation_form.html", form=form)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation(organisation_id: int):
    """An organisation's sites, with a form to add one."""
    db = db_session()
    found = db.get(Organisation, organisation_id) or abort(404)
    form = SiteForm()
    if form.validate_on_submit():
        try:
            site = organisations.add_site(
                session=db, organisation=found, name=form.name.data, postcode=form.postcode.data
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            audit_action(AuditAction.CREATE, "site", site.id, f"{site.name} ({site.postcode})")
            flash(f"{site.name} has been added.")
            return redirect(url_for("admin.organisation", organisation_id=found.id))
    return render_template(
        "admin/organisation.html",
        organisation=found,
        sites=organisations.sites_of(session=db, organisation=found),
        form=form,
    )


@bp.get("/audit")
def audit():
    """Search the audit log by user, action, record and date."""
    form = AuditSearchForm(request.args)
    page = requested_page()
    query = _audit_query(form)
    rows, total = search_audit(
        session=db_session(),
        query=query,
        limit=AUDIT_PAGE_SIZE,
        offset=(page - 1) * AUDIT_PAGE_SIZE,
    )
    return render_template(
        "admin/audit.html",
        search=form,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + AUDIT_PAGE_SIZE - 1) // AUDIT_PAGE_SIZE, 1),
        query_args={k: v for k, v in request.args.items() if k != "page" and v},
    )


@bp.get("/audit.csv")
def audit_export():
    """The matching audit entries as CSV; the export itself is audited."""
    form = AuditSearchForm(request.args)
    rows, total = search_audit(
        session=db_session(), query=_audit_query(form), limit=AUDIT_EXPORT_LIMIT
    )
    audit_action(
        AuditAction.EXPORT,
        "audit_event",
        None,
        f"{total} entries: {request.query_string.decode()[:500]}",
    )
    body = to_csv(
        ["at", "user", "action", "record_type", "record_id", "detail", "ip_address"],
        (
            [
                event.at.isoformat(),
                email,
                event.action.value,
                event.entity_type,
                event.entity_id,
                event.detail,
                event.ip_address,
            ]
            for event, email in rows
        ),
    )
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )


def _audit_query(form: AuditSearchForm) -> AuditQuery:
    """The search as typed, ignoring any field that did not validate (its error is shown)."""
    form.validate()
    valid = valid_values(form)
    return AuditQuery(
        user_email=valid.get("user_email") or "",
        action=AuditAction(valid["action"]) if valid.get("action") else None,
        entity_type=(valid.get("entity_type") or "").strip(),
        entity_id=valid.get("entity_id"),
        on_or_after=valid.get("on_or_after"),
        on_or_before=valid.get("on_or_before"),
    )
