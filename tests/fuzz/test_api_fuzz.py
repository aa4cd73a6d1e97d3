"""Schemathesis fuzzes every operation of /api/v1/openapi.json, signed in as each role.

Every answer must be a documented status with a body that fits its documented schema (never a
5xx), and every request that is not a 2xx write must leave every table's row count exactly as
it was. The runs are derandomized, so CI fails (or passes) the same way every time.
"""

import uuid
from collections import Counter
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Select, func, select

from app.auth import services as auth_services
from app.auth.models import Role
from app.extensions import db, limiter
from app.notifications.webpush import ensure_vapid_key
from tests import factories

MAX_EXAMPLES = 50  # per operation and generation mode
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance, negative_data_rejection,
          missing_required_header, ignored_auth]
# What one accepted write may add (or, for a 204 delete, remove): table -> rows.
WRITES = {
    ("POST", "/api/v1/checkins"): "checkin",
    ("POST", "/api/v1/phq9"): "phq9_response",
    ("POST", "/api/v1/push-subscriptions"): "push_subscription",
    ("DELETE", "/api/v1/push-subscriptions"): "push_subscription",
}
# Reads that write one audit event when answered (charts of a patient or of the cohort).
AUDITED_READS = ("/api/v1/cohort/", "/api/v1/patients/")
# Tables an accepted check-in or PHQ-9 may also touch: its own answers, the flags its
# answers raise (with their evidence), the prompts it answers, and the audit log.
SIDE_TABLES = {"symptom_rating", "flag", "flag_evidence", "audit_event"}


def row_counts() -> dict[str, int]:
    """Every table's row count, in one round trip."""
    db.session.remove()
    names, statement = _counting()
    counts = db.session.execute(statement).one()
    return dict(zip(names, counts, strict=True))


@cache
def _counting() -> tuple[list[str], Select]:
    """The table names and the one statement that counts them, built once (thousands of
    fuzzed requests are counted before and after)."""
    tables = db.metadata.sorted_tables
    return [table.name for table in tables], select(*(
        select(func.count()).select_from(table).scalar_subquery().label(table.name)
        for table in tables))


@pytest.fixture
def people(app, clock):
    # Deployed as it runs: the jobs process has made the VAPID key the public-key view serves.
    ensure_vapid_key(Path(app.config["VAPID_PRIVATE_KEY_PATH"]))
    clinic = factories.clinic()
    clinician = factories.staff(clinic, Role.CLINICIAN)
    patient = factories.patient(clinic, clock() - timedelta(days=2), by=clinician)
    factories.infusion(patient, end=clock() - timedelta(hours=5), by=clinician)
    factories.checkin(patient, taken_at=clock() - timedelta(hours=3), mood=6)
    return {"patient": patient.user, "clinician": clinician, "anonymous": None}


def _credentials(app, user) -> tuple[dict, dict]:
    """The session cookie and the X-CSRFToken header the PWA would send."""
    client = factories.sign_in(app, user) if user is not None else app.test_client()
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    # identity: schemathesis's WSGI transport checks bodies as sent, without decompressing.
    return {cookie.key: cookie.value}, {"X-CSRFToken": token, "Accept-Encoding": "identity"}


def _plausible(clock, account: str | None):
    """A positive case sent now: taken_at within the accepted window, declared for the signed-in
    account (as the PWA declares it), so writes can land."""

    def adjust(case):
        if isinstance(case.body, dict) and "account" in case.body:
            case.body["account"] = account
        if isinstance(case.body, dict) and "taken_at" in case.body:
            case.body["taken_at"] = (clock() - timedelta(minutes=1)).isoformat()
        if isinstance(case.body, dict) and "client_id" in case.body:
            case.body["client_id"] = str(uuid.uuid4())
        return case

    return adjust


# Signed in, the fuzzed inputs reach SQL on both databases (ids, dates and limits in queries,
# bodies stored), where each database can fail its own way (an integer out of range, a NUL in
# text). Nobody's requests are refused by the access check before any input is read or any
# query runs, so that run is the same on both: it runs once, on PostgreSQL (issue 13, point 7).
ROLES = [pytest.param("sqlite", "patient", id="sqlite-patient"),
         pytest.param("postgresql", "patient", id="postgresql-patient"),
         pytest.param("sqlite", "clinician", id="sqlite-clinician"),
         pytest.param("postgresql", "clinician", id="postgresql-clinician"),
         pytest.param("postgresql", "anonymous", id="postgresql-anonymous")]


@pytest.mark.parametrize(("database_url", "role"), ROLES, indirect=["database_url"])
def test_fuzzed_requests_get_documented_answers_and_change_nothing(app, clock, people, role,
                                                                  monkeypatch):
    # Hundreds of requests a minute from one client are the method here, not an attack; the
    # rate limits (and their 429s) have tests of their own.
    monkeypatch.setattr(limiter, "enabled", False)
    cookies, headers = _credentials(app, people[role])
    account = (auth_services.outbox_account(people[role].id, app.secret_key)
               if people[role] is not None else None)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6  # every @documented view, and the doc could be read

    accepted: Counter = Counter()
    counts = [row_counts()]  # the row counts as the last request left them
    for operation in operations:
        for mode, adjust in ((GenerationMode.POSITIVE, None),
                             (GenerationMode.POSITIVE, _plausible(clock, account)),
                             (GenerationMode.NEGATIVE, None)):
            if mode.is_negative and not _has_inputs(operation):
                continue
            strategy = operation.as_strategy(generation_mode=mode, cookies=cookies,
                                             headers=headers)
            if adjust is not None:
                strategy = strategy.map(adjust)
            _fuzz(app, operation, strategy, accepted, counts)

    writes = {key: n for key, n in accepted.items() if key[:2] in WRITES}
    assert not (role == "anonymous" and writes), writes
    if role == "patient":
        # The plausible pass did store check-ins and PHQ-9s: the fuzzer reached the writes.
        assert accepted[("POST", "/api/v1/checkins", 201)] > 0
        assert accepted[("POST", "/api/v1/phq9", 201)] > 0


def _has_inputs(operation) -> bool:
    return bool(operation.body) or any(p.location != "header" for p in operation.iter_parameters())


def _fuzz(app, operation, strategy, accepted: Counter, counts: list) -> None:
    """``counts`` holds the row counts after the previous request: nothing else writes between
    two requests, so they are the next request's "before" without counting again."""
    @given(case=strategy)
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(case):
        before = counts[-1]
        # Each request (and each probe a check sends) in an app context of its own, as under
        # a real server: the test's own context would share Flask-Login's cached user.
        with app.app_context():
            response = case.call()
        with app.app_context():
            case.validate_response(response, checks=CHECKS)
        after = counts[-1] = row_counts()
        key = (case.method.upper(), operation.path)
        _assert_only_an_accepted_write_changed_rows(key, response.status_code, before, after)
        if 200 <= response.status_code < 300:
            accepted[(*key, response.status_code)] += 1

    run()


def _assert_only_an_accepted_write_changed_rows(key, status, before, after) -> None:
    changed = {name: after[name] - before[name] for name in before if after[name] != before[name]}
    if key[0] == "GET" and status == 200 and key[1].startswith(AUDITED_READS):
        # A chart read is a view of health data: one audit event, nothing else (issue 12).
        assert changed == {"audit_event": 1}, (key, status, changed)
        return
    if status not in (201, 204) or key not in WRITES:
        assert changed == {}, f"{key} answered {status} but changed rows: {changed}"
        return
    table = WRITES[key]
    assert changed.get(table) == (1 if status == 201 else -1), (key, status, changed)
    assert set(changed) - {table} <= SIDE_TABLES, (key, status, changed)
    assert all(delta > 0 for name, delta in changed.items() if name != table), changed
