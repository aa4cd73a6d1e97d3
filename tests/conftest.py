"""Test fixtures: the app on SQLite and on PostgreSQL, a fixed clock, signed-in clients.

Every test that uses ``app`` (or anything built on it) runs twice: once on a fresh SQLite file
and once on PostgreSQL. PostgreSQL tests skip when no server answers, unless
AFTERCARE_REQUIRE_POSTGRES=1 (set by .ci/run), which turns that skip into a failure.
"""

import os
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from app import models as _every_model  # noqa: F401  (the schema templates need every table)
from app.extensions import db, limiter
from tests.databases import new_postgres_database
from tests.factories import TEST_PASSWORD_HASH
from tests.snapshots import Snapshots

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


# Tests whose timings are part of what they test (real-time deadlines, leases, busy timeouts,
# a database going away under concurrent clients, a process killed mid-send): ``make test`` runs
# them in its one-at-a-time pass, after the rest has run on every core (pytest-xdist). Browser,
# gunicorn, jobs-process, rate-limit and backup tests run in the parallel pass: each has its own
# port, database, Redis prefix and temporary files, and none of their waits is a measurement.
SERIAL = (
    "tests/faults/test_concurrent_checkins.py",
    "tests/faults/test_crash_delivery.py",
    "tests/faults/test_database_down.py",
    "tests/faults/test_jobs_outage.py",
    "tests/services/test_send_concurrency.py",
    "tests/services/test_jobs_on_sqlite.py",
)


def pytest_collection_modifyitems(config, items):
    root = Path(config.rootpath)
    for item in items:
        where = Path(item.fspath).relative_to(root).as_posix()
        if where.startswith(SERIAL):
            item.add_marker(pytest.mark.serial)


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
    """An empty database: a new SQLite file, or this session's PostgreSQL database emptied of
    every table (a test that runs its own migrations, server or jobs process starts from
    nothing, as it did when every test built and dropped the schema)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url = request.getfixturevalue("postgres_url")
    if "app" not in request.fixturenames:
        request.getfixturevalue("postgres_schema").drop_everything()
    return url


@pytest.fixture
def clock():
    return FixedClock(FIXED_NOW)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file holding the models' schema, built once per test session; each test gets
    a copy of it instead of running the DDL again."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    db.metadata.create_all(engine)
    engine.dispose()  # the last connection's close checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_schema(postgres_url):
    """The models' schema on this session's PostgreSQL database, built once (see
    ``tests/schema_once.py``)."""
    from tests.schema_once import PostgresSchema

    schema = PostgresSchema(postgres_url, db.metadata)
    yield schema
    schema.dispose()


@pytest.fixture
def app(request, database_url, clock, tmp_path):
    """The app on a database that holds the schema and no rows.

    The schema is built once per test session and database, not per test: SQLite tests start
    from a copy of a template file, PostgreSQL tests from the session database with every table
    emptied (the schema is rebuilt only when a test changed it). The app's own commits stay
    real, so the request boundary, savepoints and the jobs' claims are tested as they run.
    """
    if database_url.startswith("sqlite"):
        copy_sqlite_template(request.getfixturevalue("sqlite_template"),
                             make_url(database_url).database)
    else:
        request.getfixturevalue("postgres_schema").empty_tables()
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
        "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH,
        # Texts and email are off unless a test turns them on (tests/services/test_channels.py
        # and friends): every other test's patients are reached by push or the app's list.
        "SMS_BACKEND": "off",
        "EMAIL_BACKEND": "off",
    })
    app.test_client_class = Client
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


def copy_sqlite_template(template: Path, target: str) -> None:
    """A new database file at ``target`` with the template's schema, owner-only as the app
    creates its own files."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(template, "rb") as source, os.fdopen(descriptor, "wb") as copy:
        shutil.copyfileobj(source, copy)


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


_SNAPSHOTS = Snapshots()


@pytest.fixture
def snapshot(app, database_url, clock):
    """``snapshot(build)``: ``build()``'s rows and value, built once per test process and
    database and put back for every later test of the same fixture (``tests/snapshots.py``)."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"

    def take(build):
        key = (build.__module__, build.__qualname__, kind, clock())
        return _SNAPSHOTS.take(key, build, clock)

    return take


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
