"""Command-line tasks: ``flask --app wsgi seed-demo``, ``create-user``, ``backup``, ``restore``."""

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import select

from pathways.accounts import create_user
from pathways.backup import BackupFailed, backup_database, restore_database
from pathways.demo import DEMO_PASSWORD, seed_demo
from pathways.errors import ValidationFailed
from pathways.models import Organisation, Role
from pathways.vacancies import close_expired_vacancies


def init_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(close_expired_vacancies_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _session():
    return current_app.extensions["pathways.sessionmaker"]()


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Add Leeds demo organisations, sites and one user per role (safe to run again)."""
    with _session() as session:
        logins = seed_demo(session=session)
        session.commit()
    click.echo("Demo data is ready. Sign in at http://127.0.0.1:5000/sign-in with:")
    for login in logins:
        click.echo(f"  {login.role.value:<15} {login.email:<28} password: {DEMO_PASSWORD}")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", "full_name", default="", help="Full name (defaults to the e-mail).")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--organisation", required=True, help="The organisation's exact name.")
def create_user_command(email: str, full_name: str, role: str, organisation: str) -> None:
    """Create a user; the password is asked for, or read from standard input when piped."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    with _session() as session:
        found = session.exec(select(Organisation).where(Organisation.name == organisation)).first()
        if found is None:
            raise click.ClickException(f"No organisation is called {organisation!r}")
        try:
            user = create_user(
                session=session,
                email=email,
                full_name=full_name or email,
                role=Role(role),
                organisation=found,
                password=password,
            )
        except ValidationFailed as error:
            raise click.ClickException("; ".join(error.errors.values()) or str(error)) from None
        session.commit()
        click.echo(f"Created {user.role.value} {user.email} in {found.name}")


@click.command("backup")
@with_appcontext
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(destination: Path) -> None:
    """Write a consistent backup of the database (SQLite file copy or pg_dump archive)."""
    try:
        backup_database(current_app.config["DATABASE_URL"], destination)
    except BackupFailed as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {destination} ({destination.stat().st_size:,} bytes)")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces everything in the database. Continue?")
def restore_command(source: Path) -> None:
    """Replace the database with a backup made by ``backup``; nothing changes if it fails."""
    current_app.extensions["pathways.engine"].dispose()
    try:
        restore_database(current_app.config["DATABASE_URL"], source)
    except BackupFailed as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {source}")


@click.command("close-expired-vacancies")
@with_appcontext
def close_expired_vacancies_command() -> None:
    """Close open vacancies whose closing date has passed; run daily from a scheduler."""
    with _session() as session:
        closed = close_expired_vacancies(session=session)
        session.commit()
    click.echo(f"Closed {closed} expired vacanc{'y' if closed == 1 else 'ies'}.")
