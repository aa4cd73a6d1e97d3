"""Command-line tools: ``flask --app app seed-demo``, ``flask --app app create-clinic``."""

import click
from flask import Flask, current_app

from app.extensions import db


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_clinic)
    app.cli.add_command(jobs_group)
    from app import backup
    backup.register(app.cli)


@click.group("jobs")
def jobs_group():
    """The scheduled jobs (the jobs process runs them: python -m jobs)."""


@jobs_group.command("list")
def jobs_list():
    """Every job, how often it runs, and what it does."""
    from jobs.schedule import JOBS

    for job in JOBS:
        click.echo(f"{job.name:<16} every {job.every_seconds:>5} s  {job.description}")


@jobs_group.command("run-once")
@click.option("--now", "now_text", default=None, metavar="ISO-8601",
              help="Run as of this moment (default: now), e.g. 2026-03-10T15:00:00Z")
def jobs_run_once(now_text):
    """Run every job once, as of --now."""
    from datetime import UTC, datetime

    from jobs.runner import run_all

    now = datetime.now(UTC)
    if now_text is not None:  # an empty --now is a mistake, not "now"
        try:
            now = datetime.fromisoformat(now_text.replace("Z", "+00:00"))
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--now") from error
        if now.tzinfo is None:
            raise click.BadParameter("give a UTC offset, e.g. 2026-03-10T15:00:00Z",
                                     param_hint="--now")
    for name, summary in run_all(current_app._get_current_object(), now).items():
        click.echo(f"{name}: {summary if summary is not None else 'FAILED (see log)'}")


@click.command("seed-demo")
def seed_demo():
    """Create the demo clinic with staff and patients (does nothing if it exists)."""
    from app.seed.demo import DEMO_PASSWORD, seed

    created, logins = seed()
    db.session.commit()
    click.echo("Demo clinic created." if created else "Demo clinic already present.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<10} {email}")


@click.command("create-clinic")
@click.option("--name", required=True)
@click.option("--timezone", required=True, help="IANA zone, e.g. America/Chicago")
@click.option("--phone", default="", help="Shown to patients beside the crisis numbers")
@click.option("--admin-email", required=True)
@click.option("--admin-name", required=True)
def create_clinic(name, timezone, phone, admin_email, admin_name):
    """Create a clinic and its first admin, and print the admin's setup link."""
    from marshmallow import ValidationError

    from app.auth.models import Role
    from app.auth.services import create_staff, issue_setup_link, setup_url, user_by_email
    from app.clinics.services import clinic_by_name
    from app.clinics.services import create_clinic as make_clinic
    from app.clock import utcnow
    from app.patients.schemas import valid_timezone

    try:
        valid_timezone(timezone)
    except ValidationError as error:
        raise click.BadParameter(error.messages[0], param_hint="--timezone") from error
    if clinic_by_name(name) or user_by_email(admin_email):
        raise click.ClickException("A clinic with that name or an account with that email exists")
    clinic = make_clinic(name=name, timezone=timezone, phone=phone)
    admin = create_staff(clinic.id, email=admin_email, name=admin_name, role=Role.ADMIN)
    token = issue_setup_link(admin, by=None, now=utcnow(),
                             lifetime=current_app.config["SETUP_LINK_LIFETIME"])
    db.session.commit()
    with current_app.test_request_context():
        click.echo(f"Admin setup link: {setup_url(token)}")
