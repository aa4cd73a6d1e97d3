"""Database connection settings that the ORM does not make for us."""

import os
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
    event.listen(Engine, "do_connect", _owner_only_sqlite_file)
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


def _owner_only_sqlite_file(dialect, _record, cargs, cparams) -> None:
    """Create a missing SQLite database file readable by its owner only (0600), before SQLite
    would create it with the process umask. SQLite gives the WAL and shared-memory files the
    database file's permissions, so they are owner-only too (tests/faults/test_backup_restore)."""
    if dialect.name != "sqlite":
        return
    filename = cargs[0] if cargs else cparams.get("database")
    if not filename or filename == ":memory:" or cparams.get("uri") or \
            str(filename).startswith("file:"):
        return
    try:
        os.close(os.open(filename, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        return  # a missing folder and the like: SQLite itself says what is wrong
