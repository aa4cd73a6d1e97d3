"""Fault tests serve the app for real (a threaded werkzeug server on 127.0.0.1) and talk to it
over HTTP with `requests`, one session per device, the way phones do."""

import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.auth.models import Role
from app.extensions import db, limiter
from tests import factories
from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
from tests.live_server import LiveServer


def fault_app(database_url: str, tmp_path, **config):
    return create_app({
        "SECRET_KEY": "fault-tests",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "VAPID_PRIVATE_KEY_PATH": str(tmp_path / "instance" / "vapid_private.pem"),
        "PUSH_ENDPOINT_HOSTS": ("127.0.0.1",),
        "PUSH_ALLOW_HTTP": True,
        **config,
    })


def _serve(database_url: str, tmp_path):
    app = fault_app(database_url, tmp_path)
    with app.app_context():
        db.drop_all()
        db.create_all()
    # Hundreds of check-ins from one address in seconds are the point of these tests, not an
    # attack: the rate limits have tests of their own. (Not RATELIMIT_ENABLED=False: the one
    # shared Limiter would keep it for every app made after this one in the test process.)
    enabled, limiter.enabled = limiter.enabled, False
    running = LiveServer(app)
    try:
        yield running
    finally:
        running.stop()
        limiter.enabled = enabled
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture
def served(database_url, tmp_path):
    """A fresh schema on ``database_url`` (SQLite file or PostgreSQL), served for real."""
    yield from _serve(database_url, tmp_path)


@pytest.fixture
def served_postgres(postgres_url, tmp_path):
    """The same, on PostgreSQL only: for outages only a database server can have."""
    yield from _serve(postgres_url, tmp_path)


def device(served, user) -> requests.Session:
    """A phone signed in as ``user``: its own session cookie and CSRF token.

    Call it inside the app context that made ``user``."""
    client = factories.sign_in(served.app, user)
    cookie = client.get_cookie(served.app.config["SESSION_COOKIE_NAME"])
    phone = requests.Session()
    phone.cookies.set(cookie.key, cookie.value, domain="127.0.0.1", path="/")
    session = phone.get(f"{served.url}/api/v1/session", timeout=30).json()
    phone.headers["X-CSRFToken"] = session["csrf_token"]
    phone.account = session["account"]  # declared with each check-in, as the PWA does
    return phone


def enrolled_patients(count: int):
    """``count`` patients of one clinic, each just home from an infusion."""
    now = datetime.now(UTC)
    clinic = factories.clinic()
    clinician = factories.staff(clinic, Role.CLINICIAN)
    patients = []
    for _ in range(count):
        patient = factories.patient(clinic, now - timedelta(days=1), by=clinician)
        factories.infusion(patient, end=now - timedelta(hours=3), by=clinician)
        patients.append(patient)
    return patients


@contextmanager
def database_outage(database_url: str):
    """A real outage of the database at ``database_url`` until the block ends.

    PostgreSQL: the database stops accepting connections and every open one is terminated,
    as when the server restarts or a failover is under way. SQLite: another process holds the
    write lock (``BEGIN EXCLUSIVE``), so every write waits out the busy timeout and fails with
    "database is locked", as when a backup or a stuck process holds the file.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        refuse_connections(database_url)
        try:
            yield
        finally:
            allow_connections(database_url)
    else:
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()


def _as_admin(database_url: str, *statements: str) -> None:
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement), {"name": url.database})
    finally:
        admin.dispose()


def refuse_connections(database_url: str) -> None:
    """PostgreSQL: no new connections to this database, and every open one terminated."""
    name = make_url(database_url).database
    _as_admin(database_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
              "WHERE datname = :name AND pid <> pg_backend_pid()")


def allow_connections(database_url: str) -> None:
    name = make_url(database_url).database
    _as_admin(database_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
