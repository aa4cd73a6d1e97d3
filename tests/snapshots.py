"""Rows a costly fixture built, stored once per test process and database and put back for
every later test that asks for the same fixture (issue 13, point 7).

Some fixtures build a whole clinic the way the app does it (enrolments, infusions, check-ins
through the submit services, the send and flag jobs run over two days) and cost five to ten
times the test that uses them. ``snapshot(name, build)`` runs ``build()`` the first time, then
reads every table's rows; a later test starts from the same empty schema as any other
(``app``), the rows are inserted back in the models' dependency order, the sequences set where
the build left them, and the fixture's value is handed back with each model instance in it
loaded again from this test's session. The clock stands still until a test moves it
(``FixedClock``), so the rows are the ones ``build()`` would have made again.

What a snapshot cannot hold, a fixture that uses it must not make: files, the rate limiter's
counters, a moved clock. ``snapshot`` refuses a build that moved the clock.
"""

import dataclasses
from collections.abc import Callable

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import InstanceState

from app.extensions import db


@dataclasses.dataclass
class _Stored:
    value: object
    rows: dict  # table name -> list of row dicts, in primary-key order
    sequences: dict  # (sequence name) -> next value, PostgreSQL only
    sqlite_sequence: list  # rows of sqlite_sequence, when the schema has one


class Snapshots:
    """Per test process: (name, database kind, clock time) -> what the build stored."""

    def __init__(self) -> None:
        self._stored: dict[tuple, _Stored] = {}

    def take(self, key: tuple, build: Callable[[], object], clock) -> object:
        stored = self._stored.get(key)
        if stored is not None:
            _restore(stored)
            return _loaded_again(stored.value)
        before = clock()
        value = build()
        db.session.commit()
        if clock() != before:
            raise AssertionError(f"snapshot {key[0]!r}: the build moved the clock, so its rows "
                                 "would not be the ones a rebuild makes")
        self._stored[key] = _Stored(_detached(value), *_read_everything())
        return value


def _tables():
    return db.metadata.sorted_tables


def _read_everything() -> tuple[dict, dict, list]:
    connection = db.session.connection()
    rows = {}
    for table in _tables():
        order = list(table.primary_key.columns) or list(table.columns)
        found = [dict(r._mapping) for r in connection.execute(select(table).order_by(*order))]
        if found:
            rows[table.name] = found
    sequences, sqlite_sequence = {}, []
    if connection.dialect.name == "postgresql":
        for table in _tables():
            for column in table.primary_key.columns:
                name = connection.execute(select(func.pg_get_serial_sequence(
                    table.name, column.name))).scalar()
                if name is not None:
                    highest = max((r[column.name] for r in rows.get(table.name, [])), default=0)
                    sequences[name] = highest + 1
    elif connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
                            ).first():
        sqlite_sequence = [tuple(r) for r in connection.execute(
            text("SELECT name, seq FROM sqlite_sequence"))]
    db.session.rollback()  # only reads: nothing to keep
    return rows, sequences, sqlite_sequence


def _restore(stored: _Stored) -> None:
    connection = db.session.connection()
    by_name = {t.name: t for t in _tables()}
    for name, rows in stored.rows.items():
        connection.execute(by_name[name].insert(), rows)
    if stored.sequences:
        connection.execute(select(*(
            func.setval(name, value, False) for name, value in stored.sequences.items())))
    for name, seq in stored.sqlite_sequence:
        connection.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:n, :s)"),
                           {"n": name, "s": seq})
    db.session.commit()


@dataclasses.dataclass(frozen=True)
class _Instance:
    """A model instance as its class and primary key, to be loaded again."""

    model: type
    key: tuple


def _detached(value):
    """``value`` with every model instance in it replaced by its class and primary key."""
    def leaf(item):
        state = inspect(item, raiseerr=False)
        if isinstance(state, InstanceState):
            return _Instance(type(item), tuple(state.mapper.primary_key_from_instance(item)))
        return _NOT_A_LEAF

    return _rebuilt(value, leaf)


def _loaded_again(value):
    """``value`` with each stored class and primary key loaded from this test's session."""
    def leaf(item):
        if not isinstance(item, _Instance):
            return _NOT_A_LEAF
        found = db.session.get(item.model, item.key)
        assert found is not None, f"snapshot: {item.model.__name__} {item.key} not restored"
        return found

    return _rebuilt(value, leaf)


_NOT_A_LEAF = object()


def _rebuilt(value, leaf):
    """A copy of ``value`` through dataclasses, dicts, lists and tuples, each item that
    ``leaf`` knows replaced by what it returns."""
    replaced = leaf(value)
    if replaced is not _NOT_A_LEAF:
        return replaced
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _rebuilt(getattr(value, f.name), leaf)
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, dict):
        return {k: _rebuilt(v, leaf) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_rebuilt(v, leaf) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value
