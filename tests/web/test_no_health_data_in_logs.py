"""No health data in logs: every log record of every logger, at DEBUG, during a check-in with
a note, a PHQ-9 with a safety answer, the flags they raise, the jobs, and the clinician
acknowledging and resolving the flag, is searched for the note, the symptoms and the answers.

The requests go through a real Werkzeug server (so its request log is captured too) and the
SQLAlchemy engine logs every statement and every row at DEBUG.
"""

import logging
import re
import threading
import uuid
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from app.flags.models import Flag
from jobs.runner import run_all
from tests import factories
from tests.web.flag_support import flags

NOTE = "Saw my late grandmother in the ceiling tiles"
ACK_NOTE = "Phoned her, she is at her sister's"
RESOLVE_NOTE = "Safety plan reviewed with Dr Okafor"
SYMPTOMS = {"dissociation": 4, "nausea": 3}
ANSWERS = [3, 3, 2, 3, 2, 3, 2, 1, 2]


class Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    """Every logger at DEBUG into one handler; levels restored afterwards."""
    handler = Everything()
    root = logging.getLogger()
    names = ["", "sqlalchemy.engine", "sqlalchemy.pool", "werkzeug", "app", "aftercare",
             "aftercare.jobs", "flask_limiter"]
    levels = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def server(app):
    running = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{running.server_port}"
    running.shutdown()


def signed_in_browser(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    token = browser.get(f"{base}/api/v1/session").json()["csrf_token"]
    response = browser.post(f"{base}/login", data={"csrf_token": token, "email": email,
                                                   "password": factories.PASSWORD},
                            allow_redirects=False)
    assert response.status_code == 302
    session = browser.get(f"{base}/api/v1/session").json()
    browser.headers["X-CSRFToken"] = session["csrf_token"]
    browser.account = session["account"]  # declared with each check-in, as the PWA does
    return browser


def forbidden_in(lines: list[str]) -> list[str]:
    needles = [NOTE, ACK_NOTE, RESOLVE_NOTE, "grandmother", "ceiling tiles", "Okafor",
               *SYMPTOMS, str(ANSWERS), ",".join(map(str, ANSWERS)),
               ", ".join(map(str, ANSWERS))]
    # A symptom code or a score next to "severity" or "mood" would be health data as well.
    pattern = re.compile(r"(severity|mood)\W{1,4}\d", re.I)
    # A statement's column names (session_observation.dissociation, and the "Col (...)" list
    # of a result) are the schema, not a patient's data: values are what must never show.
    column = re.compile(r"\b\w+\.\w+\b")
    return [line for line in lines
            if any(needle.lower() in _values_of(line, column).lower() for needle in needles)
            or pattern.search(line)]


def _values_of(line: str, column: re.Pattern) -> str:
    if not line.startswith("sqlalchemy.engine"):
        return line
    if re.match(r"sqlalchemy\.engine\S* DEBUG Col \(", line):  # a result's column names
        return ""
    return column.sub("", line)


def test_no_note_symptom_or_answer_reaches_any_log(app, clock, captured, server):
    app.logger.setLevel(logging.DEBUG)
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock() - timedelta(days=2), by=clinician)
    factories.infusion(patient, end=clock() - timedelta(hours=26), by=clinician)
    phone = signed_in_browser(server, patient.user.email)
    desk = signed_in_browser(server, clinician.email)

    checkin = phone.post(f"{server}/api/v1/checkins", json={
        "account": phone.account,
        "client_id": str(uuid.uuid4()), "taken_at": clock().isoformat(), "mood": 1,
        "note": NOTE, "symptoms": [{"code": c, "severity": s} for c, s in SYMPTOMS.items()]})
    refused = phone.post(f"{server}/api/v1/checkins", json={
        "account": phone.account, "client_id": "not-a-uuid", "taken_at": clock().isoformat(),
        "mood": 11, "note": NOTE,
        "symptoms": [{"code": "nausea", "severity": 9}]})
    phq9 = phone.post(f"{server}/api/v1/phq9", json={
        "account": phone.account,
        "client_id": str(uuid.uuid4()), "taken_at": clock().isoformat(), "answers": ANSWERS})
    assert (checkin.status_code, refused.status_code, phq9.status_code) == (201, 422, 201)
    assert phone.get(f"{server}/history").status_code == 200

    run_all(app, clock() + timedelta(minutes=45))  # rules, escalation of the safety flag, pushes
    raised = flags(Flag.patient_id == patient.id)
    assert {f.rule for f in raised} >= {"safety", "severe_symptom"}
    assert desk.get(f"{server}/clinic/patients/{patient.id}").status_code == 200
    for flag in raised:
        token = desk.headers["X-CSRFToken"]
        assert desk.post(f"{server}/clinic/flags/{flag.id}/acknowledge",
                         data={"csrf_token": token, "note": ACK_NOTE}).status_code == 200
        assert desk.post(f"{server}/clinic/flags/{flag.id}/resolve",
                         data={"csrf_token": token, "note": RESOLVE_NOTE}).status_code == 200
    assert all(f.status == "resolved" for f in flags(Flag.patient_id == patient.id))

    text = "\n".join(captured.lines)
    assert "POST /api/v1/checkins" in text, "the Werkzeug request log was not captured"
    assert "INSERT INTO checkin" in text.replace('"', ""), "SQL statements were not captured"
    assert "SQL parameters hidden" in text
    assert forbidden_in(captured.lines) == []


def test_the_search_would_find_a_leak(app, captured):
    logging.getLogger("aftercare.test").info("checkin %s severity: 3", NOTE)
    assert len(forbidden_in(captured.lines)) == 1


def test_sqlalchemy_result_rows_are_not_logged(app, captured):
    from sqlalchemy import text

    from app.extensions import db

    db.session.execute(text("SELECT 'a secret value' AS x")).all()
    joined = "\n".join(captured.lines)
    assert "SELECT 'a secret value'" in joined  # the statement is logged...
    assert "('a secret value',)" not in joined  # ...its result row is not
