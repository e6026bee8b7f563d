"""The web layer: ``create_app`` reads as the list of steps that build the service."""

from flask import Flask

from app.config import Settings


def create_app(config_override: dict[str, object] | None = None) -> Flask:
    """Build the Flask app from environment settings, with optional explicit overrides."""
    app = Flask(__name__, instance_relative_config=True)
    load_settings(app, config_override or {})
    register_templating(app)  # before extensions: Flask-WTF touches jinja_env, which fixes it
    register_extensions(app)
    register_database(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_commands(app)
    check_routes_are_guarded(app)
    return app


def load_settings(app: Flask, overrides: dict[str, object]) -> None:
    """Typed settings from the environment; other overrides (Flask's own keys) pass straight in."""
    own = {key: value for key, value in overrides.items() if key in Settings.field_names()}
    settings = Settings.from_env(**own)
    app.config.from_mapping(settings.flask_config())
    app.config.from_mapping({key: value for key, value in overrides.items() if key not in own})
    app.extensions["pathways.settings"] = settings


def register_extensions(app: Flask) -> None:
    from app.auth.loader import init_login_manager
    from app.extensions import csrf

    csrf.init_app(app)
    init_login_manager(app)


def register_database(app: Flask) -> None:
    from app.database import init_database

    init_database(app)


def register_templating(app: Flask) -> None:
    from app.templating import init_templating

    init_templating(app)


def register_blueprints(app: Flask) -> None:
    from app import (
        admin,
        api,
        applications,
        auth,
        catalogue,
        main,
        matching,
        programmes,
        reports,
        residents,
        vacancies,
    )

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(catalogue.bp)
    app.register_blueprint(vacancies.bp)
    app.register_blueprint(residents.bp)
    app.register_blueprint(matching.bp)
    app.register_blueprint(applications.bp)
    app.register_blueprint(programmes.bp)
    app.register_blueprint(reports.bp)


def register_error_handlers(app: Flask) -> None:
    from app.errors import init_error_handlers

    init_error_handlers(app)


def register_security_headers(app: Flask) -> None:
    from app.security import init_security_headers

    init_security_headers(app)


def register_commands(app: Flask) -> None:
    from app.commands import init_commands

    init_commands(app)


def check_routes_are_guarded(app: Flask) -> None:
    from app.permissions import check_every_route_is_guarded

    check_every_route_is_guarded(app)
