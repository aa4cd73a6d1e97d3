"""Database connection settings that the ORM does not make for us, and the request's one
commit (the boundary every view's writes go through)."""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import models  # noqa: F401  (every model registered before Alembic or create_all)
from app.extensions import db

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


def register_request_boundary(app: Flask) -> None:
    """One commit per request, in one place, as indico's request handler has it: views and the
    services they call only add and flush; the answer decides. An answer below 400 (a page, a
    JSON body, the redirect after a successful POST) commits; an error answer (400 and above)
    and an exception roll back, so a view that fails halfway leaves nothing behind.

    Register it after every other ``after_request`` hook: Flask runs them last-registered
    first, so the other hooks (security headers, ``no-store``) also dress the 503 answer a
    failed commit becomes. A streaming download is committed here too, before its body is
    sent: the audit event of an export is stored before the first byte leaves.
    """
    app.after_request(_commit_unless_error_answer)
    app.teardown_request(_roll_back_after_exception)


def _commit_unless_error_answer(response: Response) -> Response:
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except Exception as error:  # noqa: BLE001  (handed to the app's own error handlers)
        db.session.rollback()
        # The database went away (or refused) between the view and here: the answer becomes
        # the one its error handler gives (a 503 for OperationalError), never a half success.
        # Without a handler the exception goes on to Flask's 500 handling.
        return current_app.make_response(current_app.handle_user_exception(error))
    return response


def _roll_back_after_exception(error: BaseException | None) -> None:
    if error is not None:
        db.session.rollback()


def commit_before_error_answer() -> None:
    """Commit now what must outlive the error answer this view is about to give.

    The request boundary rolls every answer of 400 and above back. A few writes are the record
    of that very refusal and must stay: the audit event of a failed sign-in (401/403) and of a
    wrong current password (422), which admins read to spot someone guessing. Call it only
    right before returning such an answer; everything else is committed by the boundary.
    """
    db.session.commit()


@contextmanager
def savepoint() -> Iterator[None]:
    """A SAVEPOINT inside the current transaction, on SQLite as on PostgreSQL: what fails in it
    is rolled back alone, and the caller's transaction goes on.

    Python's sqlite3 module (before 3.12) opens SQLite's transaction only before an INSERT,
    UPDATE or DELETE; a SAVEPOINT issued outside one starts a transaction of its own that its
    RELEASE commits at once. So on SQLite the transaction is opened first, when it is not yet.
    """
    db.session.flush()
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and \
            not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
    with db.session.begin_nested():
        yield
