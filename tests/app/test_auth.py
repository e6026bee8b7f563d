"""Signing in and out: lock-out, CSRF, safe redirects, cookies and password changes."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from freezegun import freeze_time
from sqlmodel import select

from pathways.accounts import verify_password
from pathways.clock import now_utc
from pathways.models import AuditAction, AuditEvent, LoginAttempt, Role
from tests.helpers import TEST_PASSWORD, submit


def sign_in(client, email, password=TEST_PASSWORD, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return submit(client, url, {"email": email, "password": password})


def test_sign_in_with_the_right_password_and_out_again(client, make_user, db):
    user = make_user(Role.ADVISOR)
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert f"signed in as {user.full_name}" in client.get("/").get_data(as_text=True)
    assert submit(client, "/sign-out", {}).status_code == 302
    assert "Sign in</a>" in client.get("/").get_data(as_text=True)
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.user_id == user.id))]
    assert actions == [AuditAction.LOGIN, AuditAction.LOGOUT]


@pytest.mark.parametrize("email_known", [True, False])
def test_wrong_credentials_get_one_message_whether_or_not_the_email_exists(
    client, make_user, email_known
):
    email = make_user().email if email_known else "nobody@pathways.test"
    response = sign_in(client, email, "not-the-password-at-all")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in html
    assert "nhsuk-error-summary" in html and 'href="#email"' in html


def test_five_failures_lock_the_account_for_fifteen_minutes(client, make_user, db):
    user = make_user()
    start = now_utc()
    with freeze_time(start) as clock:
        for _ in range(5):
            sign_in(client, user.email, "wrong-password-123")
            clock.tick(timedelta(seconds=30))
        locked = sign_in(client, user.email)  # the right password, but locked
        assert locked.status_code == 200
        assert "too many failed attempts" in locked.get_data(as_text=True)
        clock.tick(timedelta(minutes=12))
        assert "too many failed attempts" in sign_in(client, user.email).get_data(as_text=True)
        clock.tick(timedelta(minutes=3, seconds=1))
        assert sign_in(client, user.email).status_code == 302
    failures = db.exec(
        select(LoginAttempt).where(
            LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
        )
    ).all()
    assert len(failures) == 5  # refused attempts are not counted as failures


def test_signing_in_upgrades_a_hash_with_old_parameters(app, client, make_user, db):
    old_hash = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4).hash(TEST_PASSWORD)
    user = make_user(password_hash=old_hash)
    assert sign_in(client, user.email).status_code == 302
    db.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(user.password_hash, TEST_PASSWORD)
    assert sign_in(app.test_client(), user.email).status_code == 302  # the new hash signs in
    assert client.get("/account/password").status_code == 200  # and no session was ended


def test_a_wrong_password_upgrades_nothing(client, make_user, db):
    old_hash = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4).hash(TEST_PASSWORD)
    user = make_user(password_hash=old_hash)
    assert sign_in(client, user.email, "not-the-password-at-all").status_code == 200
    db.refresh(user)
    assert user.password_hash == old_hash


def test_four_failures_do_not_lock(client, make_user):
    user = make_user()
    for _ in range(4):
        sign_in(client, user.email, "wrong-password-123")
    assert sign_in(client, user.email).status_code == 302


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, make_user):
    user = make_user()
    with freeze_time(now_utc()) as clock:
        for _ in range(5):
            sign_in(client, user.email, "wrong-password-123")
            clock.tick(timedelta(minutes=4))
        assert sign_in(client, user.email).status_code == 302


def test_deactivated_users_cannot_sign_in(client, make_user):
    user = make_user(is_active=False)
    assert sign_in(client, user.email).status_code == 200


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/admin/users", "/admin/users"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_is_followed_only_when_it_is_a_local_path(client, make_user, next_url, expected):
    user = make_user(Role.ADMIN)
    response = sign_in(client, user.email, next_url=next_url)
    assert response.headers["Location"] == expected


def test_a_post_without_a_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    response = sign_in(client, user.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_changing_the_password_signs_out_other_sessions(app, make_user):
    user = make_user()
    mine, other = app.test_client(), app.test_client()
    sign_in(mine, user.email)
    sign_in(other, user.email)
    new_password = "a-brand-new-long-passphrase"
    response = submit(
        mine,
        "/account/password",
        {"current_password": TEST_PASSWORD, "password": new_password, "confirm": new_password},
    )
    assert response.status_code == 302
    assert mine.get("/account/password").status_code == 200  # this session carries on
    assert other.get("/account/password").status_code == 302  # the other one is signed out
    assert sign_in(app.test_client(), user.email, new_password).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 12 characters"), ("password1234", "too common")],
)
def test_weak_new_passwords_are_refused_beside_the_field(client, make_user, password, message):
    user = make_user()
    sign_in(client, user.email)
    response = submit(
        client,
        "/account/password",
        {"current_password": TEST_PASSWORD, "password": password, "confirm": password},
    )
    html = response.get_data(as_text=True)
    assert message in html and 'id="password-error"' in html
