"""Signing in and out, changing a password, and one-time password reset links."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth.forms import ChangePasswordForm, EmptyForm, NewPasswordForm, SignInForm
from app.database import db_session
from app.permissions import public, signed_in
from pathways import accounts
from pathways.audit import record_audit
from pathways.clock import now_utc
from pathways.errors import ValidationFailed
from pathways.models import AuditAction

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"
LOCKED_OUT = (
    "There have been too many failed attempts to sign in to this account. "
    "Wait 15 minutes and try again."
)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Sign in with e-mail and password; five failures lock the account for 15 minutes."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    if form.validate_on_submit():
        db = db_session()
        email = accounts.normalise_email(form.email.data)
        if accounts.is_locked_out(session=db, email=email):
            _audit_failed_sign_in(email, "locked out")
            form.email.errors.append(LOCKED_OUT)
            return render_template("auth/sign_in.html", form=form)
        user = accounts.find_user_by_email(session=db, email=email)
        usable_hash = user.password_hash if user is not None and user.is_active else None
        if not accounts.verify_password(usable_hash, form.password.data):
            accounts.record_login_attempt(
                session=db, email=email, succeeded=False, ip_address=request.remote_addr
            )
            _audit_failed_sign_in(email, "wrong email or password")
            form.email.errors.append(SIGN_IN_FAILED)
            return render_template("auth/sign_in.html", form=form)
        accounts.upgrade_password_hash(session=db, user=user, password=form.password.data)
        accounts.record_login_attempt(
            session=db, email=email, succeeded=True, ip_address=request.remote_addr
        )
        user.last_login_at = now_utc()
        session.clear()
        login_user(user)
        record_audit(
            session=db,
            user=user,
            action=AuditAction.LOGIN,
            entity_type="user",
            entity_id=user.id,
            ip_address=request.remote_addr,
        )
        return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["GET", "POST"])
@signed_in
def sign_out():
    """Ask, then sign out; a POST with a CSRF token does the signing out."""
    form = EmptyForm()
    if form.validate_on_submit():
        record_audit(
            session=db_session(),
            user=current_user,
            action=AuditAction.LOGOUT,
            entity_type="user",
            entity_id=current_user.id,
            ip_address=request.remote_addr,
        )
        logout_user()
        session.clear()
        flash("You have signed out.")
        return redirect(url_for("main.index"))
    return render_template("auth/sign_out.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change your own password; every other session of yours stops working."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not accounts.verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append("Your current password is not correct")
        else:
            try:
                accounts.change_password(
                    session=db_session(), user=user, new_password=form.password.data
                )
            except ValidationFailed as error:
                form.password.errors.append(str(error))
            else:
                login_user(user)
                flash("Your password has been changed. Other sessions have been signed out.")
                return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Set a new password from a one-time link an administrator issued."""
    db = db_session()
    if accounts.find_password_reset(session=db, token=token) is None:
        return render_template("auth/reset_expired.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.redeem_password_reset(session=db, token=token, new_password=form.password.data)
        except ValidationFailed as error:
            form.password.errors.append(str(error))
        else:
            flash("Your password has been set. Sign in with it now.")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


def safe_next(target: str | None) -> str | None:
    """Accept a redirect target only when it is a path on this site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _audit_failed_sign_in(email: str, reason: str) -> None:
    record_audit(
        session=db_session(),
        user=None,
        action=AuditAction.LOGIN_FAILED,
        entity_type="user",
        detail=f"{email[:254]}: {reason}",
        ip_address=request.remote_addr,
    )
