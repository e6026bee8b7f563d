"""Command-line tasks: ``flask --app wsgi seed-demo`` and ``create-user``."""

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import select

from pathways.accounts import create_user
from pathways.demo import DEMO_PASSWORD, seed_demo
from pathways.errors import ValidationFailed
from pathways.models import Organisation, Role


def init_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)


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
