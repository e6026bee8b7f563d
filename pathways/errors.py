"""Domain errors, mapped to HTTP responses in one place by the web layer."""


class DomainError(Exception):
    """Base class for errors a person can act on; the message is shown to them."""


class NotFound(DomainError):
    """The record does not exist, or the user may not know that it exists."""


class PermissionDenied(DomainError):
    """The user is known but their role may not do this."""


class ValidationFailed(DomainError):
    """Input broke a business rule; ``errors`` maps field names to messages."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


class UnknownPostcode(ValidationFailed):
    """The text is not a valid UK postcode."""


class ConflictError(DomainError):
    """Someone else changed the record after this user loaded it; reload and try again."""
