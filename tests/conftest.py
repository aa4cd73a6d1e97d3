"""Test fixtures: the app on SQLite and on PostgreSQL, a fixed clock, signed-in clients.

Every test that uses ``app`` (or anything built on it) runs twice: once on a fresh SQLite file
and once on PostgreSQL. PostgreSQL tests skip when no server answers, unless
AFTERCARE_REQUIRE_POSTGRES=1 (set by .ci/run), which turns that skip into a failure.
"""

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db, limiter
from tests.databases import new_postgres_database

PG_URL = os.environ.get("TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("AFTERCARE_REQUIRE_POSTGRES") == "1"
FIXED_NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday, 11:00 in New York (EDT)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# JSON entries the app declares its account for (from /api/v1/session, like the CSRF token).
DECLARES_ACCOUNT = ("/api/v1/checkins", "/api/v1/phq9")


class Client(FlaskClient):
    """A test client that sends the CSRF token the way the PWA does, and declares whose
    check-in or PHQ-9 it sends as the PWA does (unless the test gives ``account`` itself).

    Each request runs in an app context of its own (fresh ``g``, its own database session),
    as under a real server, even though the test itself holds one open for the factories.
    """

    csrf: str = ""
    account: str | None = None

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own objects reload what the request changed
        return response

    def fetch_csrf(self) -> str:
        session = self.get("/api/v1/session").get_json()
        self.csrf, self.account = session["csrf_token"], session.get("account")
        return self.csrf

    def form(self, url: str, data: dict | None = None, **kwargs):
        return self.post(url, data={"csrf_token": self.csrf or self.fetch_csrf(),
                                    **(data or {})}, **kwargs)

    def api(self, method: str, url: str, **kwargs):
        headers = {"X-CSRFToken": self.csrf or self.fetch_csrf(), **kwargs.pop("headers", {})}
        body = kwargs.get("json")
        if url in DECLARES_ACCOUNT and isinstance(body, dict) and "account" not in body:
            kwargs["json"] = {**body, "account": self.account}
        return self.open(url, method=method, headers=headers, **kwargs)


def _postgres_reachable() -> bool:
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL database of this test session's own, dropped at the end.

    Created beside TEST_POSTGRES_URL's database, so concurrent test runs never share tables.
    """
    if not _postgres_reachable():
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (AFTERCARE_REQUIRE_POSTGRES=1) but {PG_URL} "
                        "does not answer")
        pytest.skip("PostgreSQL not reachable; set TEST_POSTGRES_URL to run these tests")
    name = f"{make_url(PG_URL).database}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with new_postgres_database(PG_URL, name) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def clock():
    return FixedClock(FIXED_NOW)


@pytest.fixture
def app(database_url, clock, tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "CLOCK": clock,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_BASE_URL": "http://aftercare.test",
        "VAPID_PRIVATE_KEY_PATH": str(tmp_path / "instance" / "vapid_private.pem"),
        "PUSH_ENDPOINT_HOSTS": ("127.0.0.1",),
        "PUSH_ALLOW_HTTP": True,
    })
    app.test_client_class = Client
    with app.app_context():
        _reset_schema()
        limiter.reset()
        yield app
        db.session.remove()
        _reset_schema(create=False)
        db.engine.dispose()


def _reset_schema(create: bool = True) -> None:
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    if create:
        db.create_all()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def signed_in(app):
    """``signed_in(user)``: a client with a live session for that user (no password round)."""
    from tests.factories import sign_in

    def make(user) -> Client:
        return sign_in(app, user)

    return make


@pytest.fixture
def push_service(app):
    """A real push service on 127.0.0.1, and the app's VAPID key created for it."""
    from pathlib import Path

    from app.notifications.push_keys import public_key
    from app.notifications.webpush import ensure_vapid_key
    from tests import push_service as service

    ensure_vapid_key(Path(app.config["VAPID_PRIVATE_KEY_PATH"]))
    running = service.start(expected_vapid_key=public_key(app))
    yield running
    running.server.shutdown()
