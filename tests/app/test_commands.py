"""The command-line tasks: seed-demo and create-user."""

from sqlmodel import select

from pathways.accounts import find_user_by_email, verify_password
from pathways.demo import DEMO_PASSWORD
from pathways.models import Role, User


def test_seed_demo_prints_every_login_and_can_run_twice(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    for email in [
        "advisor@pathways.example",
        "employer@pathways.example",
        "lead@pathways.example",
        "admin@pathways.example",
    ]:
        assert email in first.output
    assert DEMO_PASSWORD in first.output
    assert len(db.exec(select(User)).all()) == 4


def test_create_user_reads_the_password_from_stdin(app, db, make_organisation):
    organisation = make_organisation(name="Seacroft Care")
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "New.Person@care.example",
            "--role",
            "employer",
            "--organisation",
            "Seacroft Care",
        ],
        input="a-perfectly-long-passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = find_user_by_email(session=db, email="new.person@care.example")
    assert (user.role, user.organisation_id) == (Role.EMPLOYER, organisation.id)
    assert verify_password(user.password_hash, "a-perfectly-long-passphrase")


def test_create_user_explains_what_is_wrong(app, make_organisation):
    make_organisation(name="Seacroft Care")
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@b.example",
            "--role",
            "advisor",
            "--organisation",
            "Seacroft Care",
        ],
        input="short\n",
    )
    assert weak.exit_code == 1 and "at least 12 characters" in weak.output
    missing = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@b.example",
            "--role",
            "advisor",
            "--organisation",
            "Nowhere",
        ],
        input="a-perfectly-long-passphrase\n",
    )
    assert missing.exit_code == 1 and "No organisation is called 'Nowhere'" in missing.output
