"""Password hashing and rules, and sign-in that costs the same for unknown e-mails."""

import pytest

from pathways import accounts


def test_hashes_are_argon2id_and_verify():
    hashed = accounts.hash_password("a-long-enough-passphrase")
    assert hashed.startswith("$argon2id$")
    assert accounts.verify_password(hashed, "a-long-enough-passphrase")
    assert not accounts.verify_password(hashed, "a-long-enough-passphrasE")


def test_an_unknown_email_still_costs_one_hash_verification(monkeypatch):
    calls = []
    real_hasher = accounts._hasher

    class CountingHasher:
        def verify(self, password_hash, password):
            calls.append(password_hash)
            return real_hasher.verify(password_hash, password)

    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    assert accounts.verify_password(None, "anything-at-all") is False
    assert calls == [accounts._DUMMY_HASH]


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
