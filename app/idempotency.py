"""Storing a row exactly once per (patient, client_id), even when two copies race."""

from collections.abc import Callable

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.database import savepoint
from app.extensions import db


def store_once(row, find: Callable):
    """Insert ``row``; if an identical client_id won a race, return that one instead.

    Returns (row, created). The unique constraint decides the race inside a savepoint: only
    the losing insert is rolled back, and the rest of the caller's transaction (the request's
    other writes, such as the session's last-seen time) stays.
    """
    try:
        with savepoint():
            db.session.add(row)
    except IntegrityError:
        winner = find()
        if winner is None:
            raise
        return winner, False
    return row, True


def insert_once(model, values: dict, find: Callable, *, unique: tuple[str, ...]):
    """``store_once`` in one statement: INSERT ... ON CONFLICT (``unique``) DO NOTHING
    RETURNING the row (SQLite 3.35+ and PostgreSQL), so no savepoint, no SAVEPOINT and RELEASE
    round trips and no unit-of-work flush for the new row.

    Returns (row, created). When the key is taken (a replay, or another copy that won a race:
    on PostgreSQL the statement waits for that one to commit), nothing is inserted and nothing
    of the caller's transaction is undone; ``find()`` gives the stored row.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (insert(model).values(**values)
                 .on_conflict_do_nothing(index_elements=list(unique)).returning(model))
    row = db.session.scalars(statement).first()
    if row is not None:
        return row, True
    winner = find()
    if winner is None:
        raise RuntimeError(f"{model.__tablename__}: the insert met a conflict, yet no row")
    return winner, False
