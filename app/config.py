"""Typed settings read from the environment and checked at start-up."""

import os
from dataclasses import asdict, dataclass, field, fields

from pathways.database import DEFAULT_DATABASE_URL
from pathways.geography import DEFAULT_PRIORITY_DECILE_THRESHOLD

# Good enough for a laptop; a production start-up refuses it.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105


class ConfigError(RuntimeError):
    """The service cannot start with these settings."""


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with, and its defaults."""

    ENV: str = "development"
    SECRET_KEY: str = DEVELOPMENT_SECRET_KEY
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    TESTING: bool = False
    # Deciles at or below this count as priority areas, as well as the named neighbourhoods.
    PRIORITY_DECILE_THRESHOLD: int = DEFAULT_PRIORITY_DECILE_THRESHOLD
    # Residents inactive for longer than this are listed for review under data retention rules.
    RETENTION_DAYS: int = 730
    # Uploads larger than this are refused before they are read.
    MAX_CONTENT_LENGTH: int = 5 * 1024 * 1024
    # Disclosure control in reports: counts below this show as "<5"; rates need this denominator.
    REPORT_MIN_COUNT: int = 5
    REPORT_MIN_DENOMINATOR: int = 10
    NHSUK_FRONTEND_DIST: str = field(
        default_factory=lambda: os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            "node_modules",
            "nhsuk-frontend",
            "dist",
            "nhsuk",
        )
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Build settings from PATHWAYS-relevant environment variables, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for setting in fields(cls):
            if setting.name in environ:
                values[setting.name] = _coerce(setting.type, environ[setting.name], setting.name)
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(setting.name for setting in fields(cls))

    @property
    def is_production(self) -> bool:
        return self.ENV == "production"

    def validate(self) -> None:
        """Refuse settings that would be unsafe or cannot work."""
        if self.ENV not in {"development", "production", "testing"}:
            raise ConfigError(f"ENV must be development, production or testing, not {self.ENV!r}")
        if self.is_production and (
            self.SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(self.SECRET_KEY) < 32
        ):
            raise ConfigError(
                "In production SECRET_KEY must be set to a random value of at least 32 characters"
            )
        if not 1 <= self.PRIORITY_DECILE_THRESHOLD <= 10:
            raise ConfigError("PRIORITY_DECILE_THRESHOLD must be between 1 and 10")
        if self.REPORT_MIN_COUNT < 1 or self.REPORT_MIN_DENOMINATOR < 1:
            raise ConfigError("REPORT_MIN_COUNT and REPORT_MIN_DENOMINATOR must be at least 1")

    def flask_config(self) -> dict[str, object]:
        """The settings plus the Flask options they imply."""
        return asdict(self) | {
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.is_production,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SECURE": self.is_production,
            "WTF_CSRF_TIME_LIMIT": None,
        }


def _coerce(kind: object, raw: str, name: str) -> object:
    """Turn an environment string into the setting's type, naming the setting when it cannot."""
    try:
        if kind in (bool, "bool"):
            if raw.lower() not in {"1", "0", "true", "false", "yes", "no"}:
                raise ValueError(raw)
            return raw.lower() in {"1", "true", "yes"}
        if kind in (int, "int"):
            return int(raw)
    except ValueError:
        raise ConfigError(f"{name} has an invalid value: {raw!r}") from None
    return raw
