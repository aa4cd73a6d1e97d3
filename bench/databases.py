"""The benchmark's databases: a cached, seeded SQLite file per size and day, or PostgreSQL.

The schema is made the way a deployment makes it: ``flask db upgrade`` (Alembic). Each run
works on a copy of the cached SQLite file, because the benchmark writes (check-ins, jobs).
"""

import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import PROJECT_ROOT
from app.extensions import db
from bench.seed import SEED_VERSION, Seeded, anchor_for, seed

BENCH_DIR = Path(os.environ.get("BENCH_DIR") or PROJECT_ROOT / "instance" / "bench")


@dataclass
class Prepared:
    url: str
    seeded: Seeded
    seed_seconds: float | None  # None: taken from the cache
    engine: str  # "sqlite" or "postgresql"


def bench_app(url: str, **extra):
    """The app on a benchmark database (the in-process page timings and the seeding)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    return create_app({"SECRET_KEY": "bench-secret", "SQLALCHEMY_DATABASE_URI": url,
                       "INSTANCE_PATH": str(BENCH_DIR), "RATELIMIT_STORAGE_URI": "memory://",
                       **extra})


MIGRATIONS = str(Path(__file__).parent.parent / "app" / "migrations")


def _seed_into(url: str, size: str, anchor: datetime) -> Seeded:
    app = bench_app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        seeded = seed(size, anchor)
        db.engine.dispose()
    return seeded


def _migrated(path: Path) -> None:
    """A cached seed brought to the latest migration (a no-op when it is there already), so a
    run measures the schema of the code it runs, not the one of the day's first run."""
    app = bench_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    _checkpoint(path)


def prepare_sqlite(size: str, *, now: datetime | None = None) -> Prepared:
    anchor = anchor_for(now or datetime.now(UTC))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    cached = BENCH_DIR / f"seed-v{SEED_VERSION}-{size}-{anchor:%Y%m%d}.db"
    meta = cached.with_suffix(".json")
    seconds = None
    if not (cached.exists() and meta.exists()):
        for stale in BENCH_DIR.glob(f"seed-v*-{size}-*"):
            stale.unlink()
        building = cached.with_suffix(".building")
        for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            leftover.unlink(missing_ok=True)
        started = time.perf_counter()
        seeded = _seed_into(f"sqlite:///{building}", size, anchor)
        seconds = time.perf_counter() - started
        _checkpoint(building)
        building.rename(cached)
        meta.write_text(json.dumps({**seeded.to_json(), "seed_seconds": seconds}))
    else:
        _migrated(cached)
    data = json.loads(meta.read_text())
    data.pop("seed_seconds", None)
    work = BENCH_DIR / f"work-{size}.db"
    for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(cached, work)
    return Prepared(f"sqlite:///{work}", Seeded.from_json(data), seconds, "sqlite")


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file so one file holds the whole database."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()


def postgres_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def prepare_postgres(url: str, size: str, *, now: datetime | None = None) -> Prepared:
    """Empty the database's public schema, migrate and seed (PostgreSQL is seeded each run)."""
    url = postgres_url(url)
    _ensure_database(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    started = time.perf_counter()
    seeded = _seed_into(url, size, anchor_for(now or datetime.now(UTC)))
    return Prepared(url, seeded, time.perf_counter() - started, "postgresql")


def _ensure_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": parsed.database}).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
