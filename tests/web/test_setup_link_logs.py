"""Issue 12, point 5: nothing in an access log can finish someone's setup, and a setup link
completes once.

A real gunicorn writes a real access log; the patient opens their link and stops there; then a
fresh client replays everything the log holds. Opening the link spent its token on a setup
session kept in the patient's cookie only, so the replay neither signs in nor sets a password.
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.auth import services, setup_links
from app.auth.models import AuthSession
from app.extensions import db
from tests import factories
from tests.web.auth_support import (
    NEW_PASSWORD,
    audit_events,
    open_setup_link,
    set_password,
    setup_links_of,
)

ROOT = Path(__file__).parents[2]
REQUEST_LINE = re.compile(r'"(?:GET|POST|HEAD|PUT|DELETE|OPTIONS) (\S+) HTTP/[0-9.]+"')
URL_IN_LOG = re.compile(r'https?://[^\s"]+')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(app, tmp_path):
    """gunicorn serving app.wsgi:app on 127.0.0.1 with an access log, on the test database."""
    port = _free_port()
    log = tmp_path / "access.log"
    environment = {**os.environ, "SECRET_KEY": "test-secret",
                   "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "AFTERCARE_INSTANCE_PATH": str(tmp_path / "instance"),
                   "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--worker-class", "gthread", "--threads", "4", "--access-logfile", str(log),
         "app.wsgi:app"],
        env=environment, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(base + "/login", timeout=5)
            break
        # Listening before its worker has loaded the app: a busy machine's first answer can
        # take longer than the timeout. Only the 60 s deadline says it did not start.
        except (requests.ConnectionError, requests.Timeout):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    yield base, log
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def waiting_patient(app):
    """A patient enrolled, with no password yet, and a setup link issued now (real time)."""
    clinic = factories.clinic()
    patient = factories.patient(clinic, datetime.now(UTC), with_password=False)
    token = setup_links.issue_setup_link(patient.user, by=None, now=datetime.now(UTC),
                                      lifetime=timedelta(hours=72))
    db.session.commit()
    return patient, token


def _csrf(browser: requests.Session, base: str) -> str:
    return browser.get(base + "/api/v1/session", timeout=30).json()["csrf_token"]


def _signed_in(browser: requests.Session, base: str) -> bool:
    return browser.get(base + "/api/v1/session", timeout=30).json()["signed_in"]


def _sessions_of(user) -> list[AuthSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)))


def _try_everything_in(log_text: str, base: str) -> list[requests.Session]:
    """A log reader's attempts: every logged path and URL, opened and posted to, then /setup
    posted with a password, each from a fresh client."""
    targets = {base + path for path in REQUEST_LINE.findall(log_text)}
    targets |= {url for url in URL_IN_LOG.findall(log_text) if url.startswith(base)}
    readers = []
    for url in sorted(targets):
        reader = requests.Session()
        reader.get(url, timeout=30)
        form = {"csrf_token": _csrf(reader, base), "password": "the reader's password",
                "confirm": "the reader's password"}
        reader.post(url, data=form, timeout=30)
        reader.post(base + "/setup", data=form, timeout=30)
        readers.append(reader)
    return readers


def test_nothing_in_a_real_gunicorn_access_log_finishes_a_setup(app, gunicorn, waiting_patient):
    base, log = gunicorn
    patient, token = waiting_patient
    phone = requests.Session()

    opened = phone.get(f"{base}/setup/{token}", timeout=30)  # opened, not finished
    assert opened.status_code == 200 and "password" in opened.text

    log_text = log.read_text()
    assert token in log_text  # the log does hold the link: it must be worthless now
    readers = _try_everything_in(log_text, base)

    assert readers
    assert not any(_signed_in(reader, base) for reader in readers)
    db.session.expire_all()
    assert patient.user.password_hash is None
    assert _sessions_of(patient.user) == []
    # ... while the patient, whose browser opened the link, can still finish.
    finished = phone.post(base + "/setup", allow_redirects=False, timeout=30, data={
        "csrf_token": _csrf(phone, base), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert finished.status_code == 302
    assert _signed_in(phone, base)
    assert services.authenticate(patient.user.email, NEW_PASSWORD) == patient.user


def test_two_simultaneous_posts_complete_a_link_once(app, gunicorn, waiting_patient):
    base, _log = gunicorn
    patient, token = waiting_patient
    phone = requests.Session()
    phone.get(f"{base}/setup/{token}", timeout=30)
    form = {"csrf_token": _csrf(phone, base), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def submit():
        twin = requests.Session()
        twin.cookies.update(phone.cookies)
        barrier.wait()
        statuses.append(twin.post(base + "/setup", data=form, allow_redirects=False,
                                  timeout=60).status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert sorted(statuses) == [302, 410]
    assert len(_sessions_of(patient.user)) == 1
    assert len(audit_events("auth.password_set")) == 1


def test_a_request_that_read_the_link_before_another_finished_it_cannot_finish_it(app, clock):
    """The same race, made certain: this request read the link while it was still unused,
    another request then finished the setup and committed; this one must not finish it too."""
    patient = factories.patient(factories.clinic(), clock(), with_password=False)
    token = setup_links.issue_setup_link(patient.user, by=None, now=clock(),
                                      lifetime=timedelta(hours=72))
    db.session.commit()
    phone = app.test_client()
    phone.get(f"/setup/{token}")
    with phone.session_transaction() as cookie:
        secret = next(iter(v for k, v in cookie.items() if k == "setup_session"))
    stale = setup_links.setup_session_link(secret, now=clock())  # this request's read
    assert stale is not None and stale.used_at is None

    assert set_password_in_session(phone).status_code == 302  # the other request

    assert setup_links.complete_setup(stale, "a racing password!", now=clock()) is None
    db.session.rollback()
    assert [link.used_at for link in setup_links_of(patient.user)] == [clock()]
    assert services.authenticate(patient.user.email, NEW_PASSWORD) == patient.user


def set_password_in_session(client):
    return client.form("/setup", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def test_an_opened_link_does_not_open_again_in_another_browser(app, clock):
    patient = factories.patient(factories.clinic(), clock(), with_password=False)
    token = setup_links.issue_setup_link(patient.user, by=None, now=clock(),
                                      lifetime=timedelta(hours=72))
    db.session.commit()
    phone = app.test_client()
    assert open_setup_link(phone, token).status_code == 200

    assert open_setup_link(app.test_client(), token).status_code == 410
    assert open_setup_link(phone, token).status_code == 200  # the phone that opened it still can
    assert set_password(phone, token).status_code == 302


def test_an_opened_link_lasts_thirty_minutes_in_its_browser(app, clock):
    patient = factories.patient(factories.clinic(), clock(), with_password=False)
    token = setup_links.issue_setup_link(patient.user, by=None, now=clock(),
                                      lifetime=timedelta(hours=72))
    db.session.commit()
    phone = app.test_client()
    open_setup_link(phone, token)

    clock.advance(minutes=29)
    assert phone.get("/setup").status_code == 200
    clock.advance(minutes=1)
    assert phone.get("/setup").status_code == 410
