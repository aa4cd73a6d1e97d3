"""A stalled job is seen: each run is recorded, `flask jobs status` prints it, the clinic
admin sees it on the settings page, and /healthz/jobs answers 503 once a job has not
succeeded within three of its intervals."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.jobruns.models import JobRun
from app.notifications.models import Notification
from jobs.runner import run_all, run_job
from jobs.schedule import JOBS
from tests import factories
from tests.broken_rows import broken

JOB = {job.name: job for job in JOBS}


def _row(name) -> JobRun | None:
    db.session.expire_all()
    return db.session.get(JobRun, name)


@pytest.fixture
def broken_claim(app, clock):
    """A due push whose row cannot be written: the send job's claim (one UPDATE for every due
    row, not a unit of its own) fails, so the whole run fails."""
    patient = factories.patient(factories.clinic(), clock())
    factories.infusion(patient, end=clock() - timedelta(hours=3))
    due = db.session.scalars(select(Notification.id).where(
        Notification.due_at <= clock())).first()
    fault = broken("notification", "id", due)
    yield fault
    fault.mend()


def _push_key(app):
    from pathlib import Path

    from app.notifications.webpush import ensure_vapid_key

    ensure_vapid_key(Path(app.config["VAPID_PRIVATE_KEY_PATH"]))


def test_a_successful_run_is_recorded(app, clock):
    assert _row("mark_missed") is None

    assert run_job(app, JOB["mark_missed"], clock()) == {"missed": 0, "not_sent": 0}

    row = _row("mark_missed")
    assert (row.last_started_at, row.last_success_at, row.last_failure_at, row.failures,
            row.last_error) == (clock(), clock(), None, 0, "")


def test_a_failed_run_is_recorded_and_counted_until_a_success(app, clock, broken_claim):
    _push_key(app)

    assert run_job(app, JOB["send_notifications"], clock()) is None
    clock.advance(minutes=1)
    assert run_job(app, JOB["send_notifications"], clock()) is None

    row = _row("send_notifications")
    assert (row.last_success_at, row.last_failure_at, row.failures) == (None, clock(), 2)
    assert re.fullmatch(r"[A-Za-z_]+Error", row.last_error)  # the class name, no message
    failed_at = clock()

    broken_claim.mend()
    clock.advance(minutes=1)
    assert run_job(app, JOB["send_notifications"], clock())["claimed"] >= 1
    row = _row("send_notifications")
    assert (row.last_success_at, row.last_failure_at, row.failures) == (clock(), failed_at, 0)


def test_cli_status_prints_each_job_with_its_last_success_and_failure(app, clock, broken_claim):
    _push_key(app)
    run_job(app, JOB["send_notifications"], clock())  # fails
    run_job(app, JOB["escalate"], clock())

    result = app.test_cli_runner().invoke(args=["jobs", "status"])

    assert result.exit_code == 0, result.output
    header, *lines = result.output.splitlines()
    assert header.split()[:4] == ["job", "state", "last", "success"]
    by_name = {line.split()[0]: line for line in lines}
    assert list(by_name) == [job.name for job in JOBS]
    assert by_name["escalate"].split()[1:4] == ["ok", "2026-03-10", "15:00:00Z"]
    assert by_name["escalate"].split()[4] == "never"  # no failure
    send = by_name["send_notifications"].split()
    assert send[1:5] == ["stale", "never", "2026-03-10", "15:00:00Z"]
    assert re.fullmatch(r"[A-Za-z_]+Error", send[5]) and "(1 since success)" in by_name[
        "send_notifications"]
    assert by_name["mark_missed"].split()[1:4] == ["stale", "never", "never"]


def test_the_admin_sees_each_job_on_the_settings_page(app, clock, signed_in, broken_claim):
    clinic = factories.clinic()
    _push_key(app)
    run_job(app, JOB["send_notifications"], clock())  # fails
    run_job(app, JOB["escalate"], clock())

    page = signed_in(factories.staff(clinic, Role.ADMIN)).get("/clinic/settings")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Scheduled jobs" in html
    rows = {name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for name, row in
            re.findall(r'<tr data-job="([a-z_]+)">(.*?)</tr>', html, re.S)}
    assert list(rows) == [job.name for job in JOBS]
    assert rows["escalate"].endswith("none ok")
    assert rows["send_notifications"].startswith("send_notifications 1 min never")
    assert "since the last success" in rows["send_notifications"]
    assert rows["send_notifications"].endswith("stale")
    assert rows["mark_missed"] == "mark_missed 5 min never none stale"


def test_a_clinician_does_not_get_the_settings_page(app, signed_in):
    page = signed_in(factories.staff(factories.clinic())).get("/clinic/settings")

    assert page.status_code == 403


def test_healthz_jobs_is_503_until_every_job_has_succeeded(client):
    response = client.get("/healthz/jobs")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "stale"
    assert {job["name"]: job["state"] for job in body["jobs"]} == {
        job.name: "stale" for job in JOBS}


def test_healthz_jobs_is_200_while_fresh_and_503_after_three_intervals(app, clock, client):
    _push_key(app)
    assert None not in run_all(app, clock()).values()

    fresh = client.get("/healthz/jobs")
    assert fresh.status_code == 200
    assert fresh.get_json()["status"] == "ok"

    clock.advance(seconds=3 * 60)  # three intervals of the every-minute jobs: still in time
    assert client.get("/healthz/jobs").status_code == 200

    clock.advance(seconds=1)
    stale = client.get("/healthz/jobs")
    assert stale.status_code == 503
    states = {job["name"]: job["state"] for job in stale.get_json()["jobs"]}
    assert states == {"mark_missed": "ok", "evaluate_flags": "ok", "escalate": "stale",
                      "send_notifications": "stale"}
    assert set(stale.get_json()["jobs"][0]) == {
        "name", "state", "every_seconds", "last_success_at", "last_failure_at", "last_error"}
