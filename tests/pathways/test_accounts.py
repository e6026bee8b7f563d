"""Password hashing and rules, and sign-in that costs the same for unknown e-mails."""

import re

import pytest
from argon2 import PasswordHasher

from pathways import accounts

# argon2-cffi's defaults before the OWASP parameters: what older stored hashes carry.
OLD_HASHER = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4)
ENCODED = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+$")


def parameters_of(encoded: str) -> tuple[int, int, int]:
    """Memory (KiB), time cost and parallelism read from an encoded Argon2id hash."""
    match = ENCODED.match(encoded)
    assert match, encoded
    return tuple(int(group) for group in match.groups())


def test_hashes_are_argon2id_and_verify():
    hashed = accounts.hash_password("a-long-enough-passphrase")
    assert hashed.startswith("$argon2id$")
    assert accounts.verify_password(hashed, "a-long-enough-passphrase")
    assert not accounts.verify_password(hashed, "a-long-enough-passphrasE")


def test_new_hashes_carry_the_owasp_argon2id_parameters():
    hashed = accounts.hash_password("a-long-enough-passphrase")
    assert parameters_of(hashed) == (19_456, 2, 1)


def test_an_old_parameter_hash_still_verifies_and_is_upgraded(db, make_user):
    user = make_user(password_hash=OLD_HASHER.hash("a-long-enough-passphrase"))
    assert parameters_of(user.password_hash) == (65_536, 3, 4)
    assert accounts.verify_password(user.password_hash, "a-long-enough-passphrase")
    assert accounts.upgrade_password_hash(
        session=db, user=user, password="a-long-enough-passphrase"
    )
    db.refresh(user)
    assert parameters_of(user.password_hash) == (19_456, 2, 1)
    assert accounts.verify_password(user.password_hash, "a-long-enough-passphrase")
    assert not accounts.verify_password(user.password_hash, "another-long-passphrase")


def test_a_current_hash_is_left_alone(db, make_user):
    hashed = accounts.hash_password("a-long-enough-passphrase")
    user = make_user(password_hash=hashed)
    assert not accounts.upgrade_password_hash(
        session=db, user=user, password="a-long-enough-passphrase"
    )
    db.refresh(user)
    assert user.password_hash == hashed


@pytest.mark.parametrize(
    "stored",
    [
        None,  # an unknown e-mail
        accounts.hash_password("the-right-passphrase"),
        OLD_HASHER.hash("the-right-passphrase"),
        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("the-right-passphrase"),
    ],
)
def test_every_failure_costs_one_check_at_each_set_of_parameters(monkeypatch, stored):
    """Unknown e-mails and wrong passwords take the same time, whatever the stored hash."""
    checked = []
    real_hasher = accounts._hasher

    class CountingHasher:
        def verify(self, password_hash, password):
            checked.append(parameters_of(password_hash))
            return real_hasher.verify(password_hash, password)

    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    assert accounts.verify_password(stored, "a-wrong-passphrase") is False
    expensive = [check for check in checked if check[0] > 8]
    assert sorted(expensive) == [(19_456, 2, 1), (65_536, 3, 4)]


def test_a_right_password_costs_one_check(monkeypatch):
    checked = []
    real_hasher = accounts._hasher

    class CountingHasher:
        def verify(self, password_hash, password):
            checked.append(password_hash)
            return real_hasher.verify(password_hash, password)

    stored = accounts.hash_password("the-right-passphrase")
    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    assert accounts.verify_password(stored, "the-right-passphrase") is True
    assert checked == [stored]


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12 characters"),
        ("password1234", "too common"),
        ("QWERTYUIOP123", "too common"),
        ("aaaaaaaaaaaaaaaa", "same characters"),
        ("me@example.com", "too common"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    problems = accounts.password_problems(password, email="me@example.com")
    assert any(problem in message for message in problems)


def test_a_long_unusual_passphrase_is_accepted():
    assert accounts.password_problems("kettle-otley-rainbow-42") == []
