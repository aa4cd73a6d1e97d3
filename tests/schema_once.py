"""The models' schema on the test session's PostgreSQL database, built once and emptied between
tests.

Running the DDL for every test cost more than most tests themselves. Instead the schema is
created once; before each test every table is emptied and every sequence restarted in one round
trip (DELETE, child tables first: it takes row locks only, so a straggling connection of the
previous test cannot make it wait the way TRUNCATE's exclusive lock would). A fingerprint of
the catalog (tables, columns, indexes, constraints, triggers, functions) tells whether a test
changed the schema (a migration test, a fault test's trigger, a backup restore); only then is it
built again.
"""

from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.pool import NullPool

_FINGERPRINT = text("""
SELECT md5(coalesce(string_agg(item, '|' ORDER BY item), '')) FROM (
  SELECT 'table:' || c.relname || ':' || c.relkind::text AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public'
  UNION ALL
  SELECT 'column:' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)
         || ':' || a.attnotnull::text
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'constraint:' || conname || ':' || pg_get_constraintdef(x.oid)
    FROM pg_constraint x JOIN pg_namespace n ON n.oid = x.connamespace
   WHERE n.nspname = 'public'
  UNION ALL
  SELECT 'trigger:' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND NOT t.tgisinternal
  UNION ALL
  SELECT 'function:' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'public'
) catalog
""")


class PostgresSchema:
    def __init__(self, url: str, metadata: MetaData):
        self.metadata = metadata
        self.engine = create_engine(url, poolclass=NullPool)
        self.expected: str | None = None
        self._emptying = ""

    def empty_tables(self) -> None:
        """Every table of the schema, and no rows; the schema rebuilt first if a test changed
        it (or it was never built)."""
        if self.expected is None or self._fingerprint() != self.expected:
            self._rebuild()
        connection = self.engine.raw_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(self._emptying)  # no parameters: one round trip, many statements
            connection.commit()
        finally:
            connection.close()

    def drop_everything(self) -> None:
        """Nothing left in the database, as a test that builds its own schema expects."""
        with self.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        self.expected = None

    def dispose(self) -> None:
        self.engine.dispose()

    def _rebuild(self) -> None:
        self.drop_everything()
        self.metadata.create_all(self.engine)
        self.expected = self._fingerprint()
        with self.engine.connect() as connection:
            sequences = connection.execute(text(
                "SELECT quote_ident(sequencename) FROM pg_sequences "
                "WHERE schemaname = 'public' ORDER BY 1")).scalars().all()
        # Names from the models and the catalog, never from input.
        deletes = [f'DELETE FROM "{table.name}";'  # noqa: S608
                   for table in reversed(self.metadata.sorted_tables)]
        restarts = [f"ALTER SEQUENCE {name} RESTART;" for name in sequences]
        self._emptying = "\n".join(deletes + restarts)

    def _fingerprint(self) -> str:
        with self.engine.connect() as connection:
            return connection.execute(_FINGERPRINT).scalar_one()
