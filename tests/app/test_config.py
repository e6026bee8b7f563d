"""Settings come from the environment and unsafe ones stop the service starting."""

import pytest

from app import create_app
from app.config import DEVELOPMENT_SECRET_KEY, ConfigError, Settings


def test_defaults_use_sqlite_under_instance():
    settings = Settings.from_env({})
    assert settings.DATABASE_URL.startswith("sqlite:///")
    assert settings.DATABASE_URL.endswith("instance/pathways.db")
    assert settings.PRIORITY_DECILE_THRESHOLD == 2


def test_environment_values_are_typed():
    settings = Settings.from_env(
        {"PRIORITY_DECILE_THRESHOLD": "3", "RETENTION_DAYS": "365", "TESTING": "true"}
    )
    assert (settings.PRIORITY_DECILE_THRESHOLD, settings.RETENTION_DAYS, settings.TESTING) == (
        3,
        365,
        True,
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ENV": "production"}, "SECRET_KEY"),
        ({"ENV": "production", "SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "SECRET_KEY"),
        ({"ENV": "production", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ENV": "staging"}, "ENV must be"),
        ({"RETENTION_DAYS": "two years"}, "RETENTION_DAYS has an invalid value"),
        ({"PRIORITY_DECILE_THRESHOLD": "11"}, "PRIORITY_DECILE_THRESHOLD"),
    ],
)
def test_unsafe_or_malformed_settings_are_refused(environ, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(environ)


def test_production_with_a_real_secret_sets_secure_cookies():
    settings = Settings.from_env({"ENV": "production", "SECRET_KEY": "x" * 40})
    flask_config = settings.flask_config()
    assert flask_config["SESSION_COOKIE_SECURE"] is True
    assert flask_config["SESSION_COOKIE_HTTPONLY"] is True
    assert flask_config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_create_app_refuses_production_with_the_development_secret(monkeypatch):
    monkeypatch.setenv("ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()
