"""User accounts: password hashing and rules, creation, and sign-in lock-out."""

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from pathways.clock import now_utc
from pathways.errors import ValidationFailed
from pathways.models import (
    LoginAttempt,
    Organisation,
    OutboxMessage,
    PasswordResetToken,
    Role,
    User,
)

MIN_PASSWORD_LENGTH = 12
LOCKOUT_THRESHOLD = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
PASSWORD_RESET_LIFETIME = timedelta(hours=24)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Argon2id as the OWASP Password Storage Cheat Sheet recommends it (m=19 MiB, t=2, p=1):
# about a sixth of the CPU of argon2-cffi's default (m=64 MiB, t=3, p=4) for each sign-in.
ARGON2_MEMORY_KIB = 19_456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1

_hasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    type=Type.ID,
)
# Verified against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing")
# Hashes stored before the OWASP parameters have argon2-cffi's defaults then, and cost about six
# times as much to check until their owners sign in and they are upgraded. A failed check also
# checks whichever of these dummies has other parameters than the stored hash, so every failure
# (a wrong password for either kind of account, or an unknown e-mail) costs one check of each.
_PREVIOUS_DUMMY_HASH = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4).hash(
    "not-a-real-password-used-for-timing"
)


def hash_password(password: str) -> str:
    """Argon2id hash with the OWASP parameters above."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; any failure, or an absent hash, costs the same as any other failure."""
    if password_hash is not None and _matches(password_hash, password):
        return True
    stored = _parameters_of(password_hash)
    for dummy in (_DUMMY_HASH, _PREVIOUS_DUMMY_HASH):
        if stored is None or stored != _parameters_of(dummy):
            _matches(dummy, password)
    return False


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _parameters_of(password_hash: str | None) -> object:
    """The Argon2 parameters of a hash, or None if it has none that can be read."""
    try:
        return extract_parameters(password_hash) if password_hash else None
    except InvalidHashError:
        return None


def upgrade_password_hash(*, session: Session, user: User, password: str) -> bool:
    """Re-hash a just-verified password whose stored hash has other parameters; True if done.

    Hashes made before the parameters changed are upgraded as their owners sign in.
    """
    if not _hasher.check_needs_rehash(user.password_hash):
        return False
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    return True


def password_problems(password: str, *, email: str = "") -> list[str]:
    """Reasons a new password is too weak, in words a person can act on."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    lowered = password.lower()
    if lowered in common_passwords() or (email and lowered == email.lower()):
        problems.append("Password is too common; choose one that is hard to guess")
    elif len(set(lowered)) <= 2:
        problems.append("Password must not repeat the same characters")
    return problems


@cache
def common_passwords() -> frozenset[str]:
    """Very common passwords that must never be accepted."""
    path = Path(__file__).parent / "data" / "security" / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(
    *,
    session: Session,
    email: str,
    full_name: str,
    role: Role,
    organisation: Organisation,
    password: str,
) -> User:
    """Add a user after checking the e-mail, role and password rules."""
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if not EMAIL_PATTERN.match(email):
        errors["email"] = "Enter an e-mail address in the correct format, like name@example.nhs.uk"
    elif session.exec(select(User).where(User.email == email)).first() is not None:
        errors["email"] = "A user with this e-mail address already exists"
    if not full_name.strip():
        errors["full_name"] = "Enter the person's full name"
    problems = password_problems(password, email=email)
    if problems:
        errors["password"] = problems[0]
    if errors:
        raise ValidationFailed("The user could not be created", errors)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=Role(role),
        organisation_id=organisation.id,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def is_locked_out(*, session: Session, email: str) -> bool:
    """True for 15 minutes after the fifth failed sign-in within any 15 minutes.

    Failures before the last successful sign-in do not count; refused attempts are not failures,
    so the lock-out ends on time however often someone keeps trying.
    """
    email = normalise_email(email)
    now = now_utc()
    since = now - 2 * LOCKOUT_WINDOW
    last_success = session.exec(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded
        )
    ).one()
    if last_success is not None:
        since = max(since, _as_utc(last_success))
    failures = [
        _as_utc(moment)
        for moment in session.exec(
            select(LoginAttempt.attempted_at)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at > since,
            )
            .order_by(LoginAttempt.attempted_at)
        )
    ]
    for first, fifth in zip(failures, failures[LOCKOUT_THRESHOLD - 1 :], strict=False):
        if fifth - first <= LOCKOUT_WINDOW and now - fifth < LOCKOUT_WINDOW:
            return True
    return False


def record_login_attempt(
    *, session: Session, email: str, succeeded: bool, ip_address: str | None
) -> None:
    """Remember an attempt so lock-out works across every worker process."""
    session.add(
        LoginAttempt(email=normalise_email(email), succeeded=succeeded, ip_address=ip_address)
    )
    session.flush()


def _as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def change_password(*, session: Session, user: User, new_password: str) -> None:
    """Set a new password and end every existing session of this user."""
    problems = password_problems(new_password, email=user.email)
    if problems:
        raise ValidationFailed(problems[0], {"password": problems[0]})
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    session.add(user)
    session.flush()


def issue_password_reset(*, session: Session, user: User, issued_by: User, link_base: str) -> str:
    """Create a one-time reset link, write it to the outbox, and return the link."""
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_by_id=issued_by.id,
            expires_at=now_utc() + PASSWORD_RESET_LIFETIME,
        )
    )
    link = f"{link_base.rstrip('/')}/{token}"
    session.add(
        OutboxMessage(
            recipient=user.email,
            subject="Set a new password for Pathways",
            body=(
                f"Hello {user.full_name},\n\nAn administrator has asked for your Pathways password "
                f"to be reset. Use this link within 24 hours to set a new one:\n\n{link}\n\n"
                "If you did not expect this, tell your administrator."
            ),
        )
    )
    session.flush()
    return link


def find_password_reset(*, session: Session, token: str) -> PasswordResetToken | None:
    """The unused, unexpired reset record for a token, if there is one."""
    record = session.exec(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    ).first()
    if record is None or record.used_at is not None or _as_utc(record.expires_at) <= now_utc():
        return None
    return record


def redeem_password_reset(*, session: Session, token: str, new_password: str) -> User:
    """Use a reset link once: set the new password and end the user's other sessions."""
    record = find_password_reset(session=session, token=token)
    if record is None:
        raise ValidationFailed("This link has expired or has already been used")
    user = session.get(User, record.user_id)
    change_password(session=session, user=user, new_password=new_password)
    record.used_at = now_utc()
    session.add(record)
    session.flush()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def set_user_active(*, session: Session, user: User, active: bool) -> None:
    """Deactivate (or restore) an account; deactivation ends its sessions at once."""
    user.is_active = active
    if not active:
        user.session_version += 1
    session.add(user)
    session.flush()


def all_users(*, session: Session) -> list[tuple[User, Organisation]]:
    return list(
        session.exec(
            select(User, Organisation)
            .join(Organisation, Organisation.id == User.organisation_id)
            .order_by(Organisation.name, User.full_name)
        )
    )
