"""One commit per request (app/database.py): an answer below 400 commits what the view wrote,
once; an exception or an error answer leaves nothing behind. A few refusals keep their own
audit event (``commit_before_error_answer``).

The views that write and then fail are a test-only blueprint on the test app; nothing like them
exists in the app, which is the point: a view cannot forget to roll back.
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Blueprint, redirect
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.audit.services import record as audit
from app.auth.models import AuthSession
from app.checkins.models import CheckIn
from app.clock import utcnow
from app.extensions import db
from tests import factories
from tests.web.auth_support import audit_events

TEST_ACTION = "test.boundary"


class Boom(Exception):
    pass


def _test_views() -> Blueprint:
    bp = Blueprint("boundary_test", __name__, url_prefix="/test-boundary")

    @bp.post("/raises")
    def raises():
        audit(TEST_ACTION, now=utcnow(), target="raises")
        db.session.flush()  # written to the database, inside the request's transaction
        raise Boom("after writing")

    @bp.post("/refuses")
    def refuses():
        audit(TEST_ACTION, now=utcnow(), target="refuses")
        db.session.flush()
        return "Not like that.", 422

    @bp.post("/stores")
    def stores():
        audit(TEST_ACTION, now=utcnow(), target="stores")
        return redirect("/", code=303)

    return bp


@pytest.fixture
def boundary_app(app):
    app.register_blueprint(_test_views())
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def _stored_elsewhere(statement) -> int:
    """Counted through a connection of its own: only committed rows are seen."""
    engine = create_engine(db.engine.url)
    try:
        with Session(engine) as session:
            return session.scalar(statement)
    finally:
        engine.dispose()


def _test_events_stored() -> list[str]:
    engine = create_engine(db.engine.url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(
                text("SELECT target FROM audit_event WHERE action = :a ORDER BY id"),
                {"a": TEST_ACTION}))
    finally:
        engine.dispose()


@contextmanager
def counted_commits():
    """The COMMITs the database receives (a savepoint's RELEASE is not one)."""
    commits: list[int] = []

    def count(_connection):
        commits.append(1)

    event.listen(db.engine, "commit", count)
    try:
        yield commits
    finally:
        event.remove(db.engine, "commit", count)


def test_a_view_that_raises_after_writing_leaves_nothing_behind(boundary_app):
    client = boundary_app.test_client()

    with pytest.raises(Boom):  # TESTING lets the exception through to the test
        client.post("/test-boundary/raises")

    assert _test_events_stored() == []
    assert audit_events(TEST_ACTION) == []


def test_the_500_page_after_a_write_leaves_nothing_behind(boundary_app):
    boundary_app.config["PROPAGATE_EXCEPTIONS"] = False  # as under a real server
    client = boundary_app.test_client()

    response = client.post("/test-boundary/raises")

    assert response.status_code == 500
    assert _test_events_stored() == []


def test_an_error_answer_after_a_write_leaves_nothing_behind(boundary_app):
    response = boundary_app.test_client().post("/test-boundary/refuses")

    assert response.status_code == 422
    assert _test_events_stored() == []


def test_a_successful_post_is_committed_exactly_once(boundary_app):
    client = boundary_app.test_client()

    with counted_commits() as commits:
        response = client.post("/test-boundary/stores")

    assert response.status_code == 303
    assert len(commits) == 1
    assert _test_events_stored() == ["stores"]


def test_a_check_in_is_committed_once_with_the_sessions_last_seen_time(app, clock, signed_in):
    patient = factories.patient(factories.clinic(), clock())
    client = signed_in(patient.user)
    client.fetch_csrf()
    clock.advance(minutes=5)  # past the last-seen interval: the session row is written too

    with counted_commits() as commits:
        response = client.api("POST", "/api/v1/checkins", json={
            "client_id": "9f1c3a52-0d7e-4c41-8f0b-2d6a1e4b7c11", "mood": 7, "note": "",
            "taken_at": (clock() - timedelta(minutes=1)).isoformat(), "symptoms": []})

    assert response.status_code == 201
    assert len(commits) == 1
    assert _stored_elsewhere(select(func.count()).select_from(CheckIn)) == 1
    assert _stored_elsewhere(select(func.max(AuthSession.last_seen_at))) is not None
    seen = db.session.scalar(select(AuthSession.last_seen_at))
    assert seen == clock()


def test_the_last_seen_time_goes_back_with_an_error_answer(app, clock, signed_in):
    patient = factories.patient(factories.clinic(), clock())
    client = signed_in(patient.user)
    client.fetch_csrf()
    before = db.session.scalar(select(AuthSession.last_seen_at))
    clock.advance(minutes=5)

    response = client.api("POST", "/api/v1/checkins", json={"mood": "great"})

    assert response.status_code == 422
    assert db.session.scalar(select(AuthSession.last_seen_at)) == before
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_a_failed_sign_in_keeps_its_audit_event_with_the_401(app, clock):
    clinic = factories.clinic()
    user = factories.staff(clinic)
    client = app.test_client()

    response = client.form("/login", {"email": user.email, "password": "wrong password"})

    assert response.status_code == 401
    [event] = audit_events("auth.login_failed")
    assert event.actor_id == user.id


def test_a_wrong_current_password_keeps_its_audit_event_with_the_422(app, clock, signed_in):
    patient = factories.patient(factories.clinic(), clock())
    client = signed_in(patient.user)

    response = client.form("/account/password", {
        "current": "not the password", "password": "a brand new passphrase",
        "confirm": "a brand new passphrase"})

    assert response.status_code == 422
    [event] = audit_events("auth.password_change_failed")
    assert event.actor_id == patient.user_id
    assert audit_events("auth.password_change") == []


def test_an_export_is_audited_before_its_body_streams(app, clock, signed_in):
    clinic = factories.clinic()
    staff = factories.staff(clinic)
    patient = factories.patient(clinic, clock(), by=staff)
    client = signed_in(staff)

    response = client.get(f"/clinic/patients/{patient.id}/export.csv", buffered=False)
    try:
        # Headers sent, body not read yet: the event is already stored.
        assert response.status_code == 200
        assert _stored_elsewhere(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "patient.export")) == 1
    finally:
        response.close()


def test_a_commit_the_database_refuses_is_a_503_and_stores_nothing(boundary_app):
    """The database goes away between the view and its commit (injected at the COMMIT itself):
    the answer is the database-down page, never a 500, dressed like any other answer."""
    def refuse(_connection):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    event.listen(db.engine, "commit", refuse)
    try:
        response = boundary_app.test_client().post("/test-boundary/stores")
    finally:
        event.remove(db.engine, "commit", refuse)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers
    assert _test_events_stored() == []
