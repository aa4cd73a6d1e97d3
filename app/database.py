"""Database connection settings that the ORM does not make for us."""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import models  # noqa: F401  (every model registered before Alembic or create_all)

_registered = False


def register_sqlite_pragmas() -> None:
    """WAL, enforced foreign keys and a busy timeout on every SQLite connection (once)."""
    global _registered
    if _registered:
        return
    event.listen(Engine, "connect", _sqlite_pragmas)
    _registered = True


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
