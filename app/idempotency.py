"""Storing a row exactly once per (patient, client_id), even when two copies race."""

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from app.extensions import db


def store_once(row, find: Callable):
    """Insert ``row``; if an identical client_id won a race, return that one instead.

    Returns (row, created). The unique constraint decides the race: the loser's transaction
    is rolled back, so the caller must have no other unflushed work in this session.
    """
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        winner = find()
        if winner is None:
            raise
        return winner, False
    return row, True
