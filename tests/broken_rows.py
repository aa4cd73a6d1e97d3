"""A real database fault for one row: a trigger that makes every write of it fail.

No mock: the job under test meets the same error a damaged or locked row would give it, from
the database itself, on SQLite and on PostgreSQL alike. ``mend()`` drops the trigger again.
"""

import itertools

from sqlalchemy import text

from app.extensions import db

_names = itertools.count(1)


class BrokenRows:
    def __init__(self, table: str, column: str, value: int):
        self.table, self.column, self.value = table, column, int(value)
        self.name = f"broken_on_purpose_{next(_names)}"
        self.dialect = db.engine.dialect.name

    def break_(self) -> "BrokenRows":
        # A trigger is DDL: on PostgreSQL it waits for every transaction that read the table,
        # the test's own session included, so that one is ended first.
        db.session.commit()
        with db.engine.begin() as connection:
            for statement in self._create():
                connection.execute(text(statement))
        return self

    def mend(self) -> None:
        db.session.commit()
        with db.engine.begin() as connection:
            for statement in self._drop():
                connection.execute(text(statement))

    def _create(self) -> list[str]:
        when = f"NEW.{self.column} = {self.value}"
        if self.dialect == "sqlite":
            return [f"CREATE TRIGGER {self.name}_{event.lower()} BEFORE {event} ON {self.table} "
                    f"FOR EACH ROW WHEN {when} BEGIN SELECT RAISE(ABORT, 'broken on purpose'); "
                    "END" for event in ("INSERT", "UPDATE")]
        return [f"CREATE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'broken on purpose'; END $$",
                f"CREATE TRIGGER {self.name} BEFORE INSERT OR UPDATE ON {self.table} "
                f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {self.name}()"]

    def _drop(self) -> list[str]:
        if self.dialect == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {self.name}_{event}"
                    for event in ("insert", "update")]
        return [f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}",
                f"DROP FUNCTION IF EXISTS {self.name}()"]


def broken(table: str, column: str, value: int) -> BrokenRows:
    """Writes of ``table`` rows whose ``column`` is ``value`` fail from now until mended."""
    return BrokenRows(table, column, value).break_()
