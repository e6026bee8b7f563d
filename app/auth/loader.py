"""Flask-Login set-up: how a session cookie becomes a signed-in user."""

from flask import Flask

from app.database import db_session
from app.extensions import login_manager
from pathways.models import User


def init_login_manager(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """Accept the session only while the account is active and its password unchanged."""
    user_id, _, version = login_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db_session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user
