"""Command-line tools: ``flask --app app seed-demo``, ``flask --app app create-clinic``."""

import click
from flask import Flask, current_app

from app.extensions import db


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_clinic)
    app.cli.add_command(jobs_group)
    app.cli.add_command(users_group)
    app.cli.add_command(messages)
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


@jobs_group.command("status")
def jobs_status():
    """Each job's last success and last failure, and whether it has stalled."""
    from app.clock import utcnow
    from app.jobruns.services import scheduled_job_health

    def when(moment):
        return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment else "never"

    click.echo(f"{'job':<16} {'state':<6} {'last success':<21} {'last failure':<21} error")
    for job in scheduled_job_health(utcnow()):
        error = f"{job.last_error} ({job.failures} since success)" if job.failures else ""
        click.echo(f"{job.name:<16} {job.state:<6} {when(job.last_success_at):<21} "
                   f"{when(job.last_failure_at):<21} {error}".rstrip())


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
    from app.auth.services import create_staff
    from app.auth.setup_links import issue_setup_link, setup_url
    from app.clinics.services import clinic_by_name
    from app.clinics.services import create_clinic as make_clinic
    from app.clock import utcnow
    from app.patients.schemas import valid_timezone

    try:
        valid_timezone(timezone)
    except ValidationError as error:
        raise click.BadParameter(error.messages[0], param_hint="--timezone") from error
    if clinic_by_name(name):
        raise click.ClickException("A clinic with that name exists")
    clinic = make_clinic(name=name, timezone=timezone, phone=phone)
    admin = create_staff(clinic.id, email=admin_email, name=admin_name, role=Role.ADMIN)
    token = issue_setup_link(admin, by=None, now=utcnow(),
                             lifetime=current_app.config["SETUP_LINK_LIFETIME"])
    db.session.commit()
    with current_app.test_request_context():
        click.echo(f"Admin setup link: {setup_url(token)}")


@click.group("users")
def users_group():
    """Deactivate or reactivate an account (a departed staff member, a discharged patient)."""


def _account(email: str, clinic_name: str | None):
    from app.auth.services import users_by_email
    from app.clinics.services import clinic_by_name

    accounts = users_by_email(email)
    if clinic_name is not None:
        clinic = clinic_by_name(clinic_name)
        accounts = [a for a in accounts if clinic is not None and a.clinic_id == clinic.id]
    if not accounts:
        raise click.ClickException("No account with that email" + (
            " in that clinic" if clinic_name else ""))
    if len(accounts) > 1:
        raise click.ClickException("That email has an account in several clinics: "
                                   "give --clinic")
    return accounts[0]


@users_group.command("deactivate")
@click.option("--email", required=True)
@click.option("--clinic", "clinic_name", default=None, help="The clinic's name, if the email "
              "has an account in several")
def users_deactivate(email, clinic_name):
    """Refuse sign-in, end every session and remove push subscriptions (staff: not the
    clinic's last active admin; patients: discharged, their pending prompts cancelled)."""
    from app.audit.services import record
    from app.auth.models import Role
    from app.clinics.services import CannotDeactivate, deactivate_staff
    from app.clock import utcnow
    from app.patients.services import discharge, patient_of

    account, now = _account(email, clinic_name), utcnow()
    if account.role == Role.PATIENT:
        discharge(patient_of(account), now=now)
        record("patient.discharge", now=now, clinic_id=account.clinic_id,
               patient_id=patient_of(account).id, via="cli")
    else:
        try:
            deactivate_staff(account, by=None, now=now)
        except CannotDeactivate as refusal:
            raise click.ClickException(str(refusal)) from refusal
        record("staff.deactivate", now=now, clinic_id=account.clinic_id,
               target=f"user:{account.id}", via="cli")
    db.session.commit()
    click.echo(f"Deactivated user {account.id} ({account.role.value}).")


@users_group.command("reactivate")
@click.option("--email", required=True)
@click.option("--clinic", "clinic_name", default=None)
def users_reactivate(email, clinic_name):
    """Allow sign-in again."""
    from app.audit.services import record
    from app.auth.models import Role
    from app.clock import utcnow

    account, now = _account(email, clinic_name), utcnow()
    account.active = True
    if account.role == Role.PATIENT:
        from app.patients.services import patient_of
        record("patient.readmit", now=now, clinic_id=account.clinic_id,
               patient_id=patient_of(account).id, via="cli")
    else:
        record("staff.reactivate", now=now, clinic_id=account.clinic_id,
               target=f"user:{account.id}", via="cli")
    db.session.commit()
    click.echo(f"Reactivated user {account.id} ({account.role.value}).")


@click.command("messages")
@click.option("--last", default=20, show_default=True, help="How many, newest first.")
def messages(last):
    """The demo's outbox: the texts and emails the app would have sent (SMS_BACKEND and
    EMAIL_BACKEND "outbox", the default), newest first."""
    from sqlalchemy import select

    from app.extensions import db
    from app.notifications.models import LocalMessage

    rows = db.session.scalars(select(LocalMessage).order_by(LocalMessage.id.desc()).limit(last))
    shown = 0
    for row in rows:
        shown += 1
        heading = f"{row.created_at:%Y-%m-%d %H:%M} UTC  {row.channel:<5} to {row.to}"
        click.echo(heading + (f"  subject: {row.subject}" if row.subject else ""))
        click.echo("    " + row.body.strip().replace("\n", "\n    ") + "\n")
    if not shown:
        click.echo("No texts or emails yet. The jobs process sends them (make run starts it).")
