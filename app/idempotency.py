"""Storing a row exactly once per (patient, client_id), even when two copies race."""

from collections.abc import Callable

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
