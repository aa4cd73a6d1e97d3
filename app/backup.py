"""``flask --app app backup FILE`` and ``flask --app app restore FILE`` (docs/OPERATIONS.md).

SQLite: SQLite's online backup API, safe while the web and jobs processes run (it copies a
consistent snapshot that includes what is still in the WAL file, which copying the file with
``cp`` would miss). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, from the
PostgreSQL client tools, which must be the server's major version or newer.

The restore goes into an empty database only (a new SQLite file, or a PostgreSQL database
made with ``createdb``), never over live data; run ``flask --app app db upgrade`` after it.

Neither command reports success until it has checked its result: the same tables with the
same row counts in the copy as in what was copied (the snapshot that was copied, while the
app goes on writing). Otherwise it exits non-zero and says what differs. Backups and SQLite
databases are created readable by their owner only (0600).

Paths reach SQLite as ``file:`` URIs built by ``Path.as_uri()``, so ``#``, ``?`` and ``%`` in
a file or folder name are escaped rather than read as a fragment, a query or an escape.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from app.extensions import db

OWNER_ONLY = 0o600


def register(cli) -> None:
    cli.add_command(backup_command)
    cli.add_command(restore_command)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path):
    """Write a consistent copy of the database (DATABASE_URL) to TARGET while it runs."""
    if target.exists():
        raise click.ClickException(f"{target} exists; choose a new file name")
    url = _url()
    create_owner_only(target)
    try:
        if url.get_backend_name() == "sqlite":
            expected, found = _sqlite_backup(Path(url.database), target)
        else:
            expected, found = _postgres_backup(url, target)
        _verify(expected, found, what="the backup")
    except BaseException:
        target.unlink(missing_ok=True)  # never leave a file that looks like a backup
        raise
    click.echo(f"Backed up to {target} ({target.stat().st_size} bytes; {len(found)} tables, "
               f"{sum(found.values())} rows, checked)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(source: Path):
    """Restore SOURCE (made by `backup`) into the empty database at DATABASE_URL."""
    url = _url()
    if inspect(db.engine).get_table_names():
        raise click.ClickException("the database at DATABASE_URL is not empty; restore into a "
                                   "new SQLite file or a database made with createdb")
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        expected, found = _sqlite_restore(source, Path(url.database))
    else:
        expected = _dump_counts(source)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={_libpq(url)}", str(source)], url)
        db.engine.dispose()
        found = _postgres_counts_now()
    if not expected:
        raise click.ClickException(f"{source} holds no tables: it is not a backup of Aftercare; "
                                   "nothing was restored")
    _verify(expected, found, what="the restored database")
    click.echo(f"Restored {source} ({len(found)} tables, {sum(found.values())} rows, checked); "
               "now run: flask --app app db upgrade")


def create_owner_only(path: Path, *, exist_ok: bool = False) -> None:
    """Create an empty file at ``path`` readable and writable by its owner only."""
    flags = os.O_WRONLY | os.O_CREAT | (0 if exist_ok else os.O_EXCL)
    os.close(os.open(path, flags, OWNER_ONLY))
    os.chmod(path, OWNER_ONLY)  # whatever the umask, and for a file that was already there


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _uri(path: Path, mode: str = "rw") -> str:
    """A SQLite URI naming exactly ``path``: ``#``, ``?`` and ``%`` percent-escaped."""
    return f"{path.resolve().as_uri()}?mode={mode}"


def _read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise click.ClickException(f"{path}: no such database file")
    return sqlite3.connect(_uri(path, "ro"), uri=True, isolation_level=None)


def sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Every table's row count (``sqlite_*`` internals aside), in the connection's snapshot."""
    try:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                for name in names}
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"not a readable SQLite database: {error}") from error


def _sqlite_backup(source: Path, target: Path) -> tuple[dict, dict]:
    """Copy ``source`` to ``target``; the counts of the snapshot copied and of the copy."""
    return _sqlite_counted_copy(source, target)


def _sqlite_restore(source: Path, target: Path) -> tuple[dict, dict]:
    create_owner_only(target, exist_ok=True)  # made by the emptiness check above
    return _sqlite_counted_copy(source, target)


def _sqlite_counted_copy(source: Path, target: Path) -> tuple[dict, dict]:
    """Copy ``source`` to ``target`` in one read snapshot; (counts copied, counts of the copy)."""
    source_db = _read_only(source)
    try:
        source_db.execute("BEGIN")  # one read snapshot for the counts and the copy
        expected = sqlite_counts(source_db)
        _sqlite_copy(source_db, target)
        source_db.execute("COMMIT")
    finally:
        source_db.close()
    copy = sqlite3.connect(_uri(target, "ro"), uri=True)
    try:
        return expected, sqlite_counts(copy)
    finally:
        copy.close()


def _sqlite_copy(source_db: sqlite3.Connection, target: Path) -> None:
    """Page-by-page online copy: a consistent snapshot even while others write."""
    target_db = sqlite3.connect(_uri(target), uri=True)
    try:
        with target_db:
            source_db.backup(target_db)
    finally:
        target_db.close()


def _verify(expected: dict[str, int], found: dict[str, int], *, what: str) -> None:
    if expected == found:
        return
    missing = sorted(set(expected) - set(found))
    differ = sorted(t for t in set(expected) & set(found) if expected[t] != found[t])
    details = []
    if missing:
        details.append(f"tables missing: {', '.join(missing)}")
    if differ:
        details.append("row counts differ: " + ", ".join(
            f"{t} {found[t]} instead of {expected[t]}" for t in differ))
    extra = sorted(set(found) - set(expected))
    if extra:
        details.append(f"unexpected tables: {', '.join(extra)}")
    raise click.ClickException(f"{what} does not match its source ({'; '.join(details)}); "
                               "do not rely on it")


def _postgres_backup(url: URL, target: Path) -> tuple[dict, dict]:
    """pg_dump of an exported snapshot, whose row counts are taken in the same snapshot."""
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") \
            as connection:
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
        expected = _postgres_counts(connection)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--snapshot={snapshot}", f"--file={target}", _libpq(url)], url)
        connection.rollback()
    return expected, _dump_counts(target)


def _postgres_counts(connection) -> dict[str, int]:
    names = inspect(connection).get_table_names()
    return {name: connection.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar()  # noqa: S608
            for name in names}


def _postgres_counts_now() -> dict[str, int]:
    with db.engine.connect() as connection:
        return _postgres_counts(connection)


_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.MULTILINE)
_COPY = re.compile(r'^COPY (?:"?[\w]+"?\.)?"?(\w+)"? \(.*\) FROM stdin;$')


def _dump_counts(dump: Path) -> dict[str, int]:
    """Row counts in a pg_dump custom-format file: its COPY blocks (one line a row; COPY's
    text format escapes newlines inside values). Tables without rows count 0."""
    listing = _run(["pg_restore", "--list", str(dump)], None)
    counts = {m.group(2): 0 for m in _TABLE.finditer(listing) if m.group(1) != "DATA"}
    _tool("pg_restore")
    current = None
    with subprocess.Popen(["pg_restore", "--data-only", "--file=-", str(dump)],  # noqa: S603,S607
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as reading:
        for line in reading.stdout:
            current = _count_line(line.rstrip("\n"), current, counts)
        problem = reading.stderr.read()
    if reading.returncode != 0:
        raise click.ClickException(f"pg_restore could not read {dump}: {problem.strip()}")
    return counts


def _count_line(line: str, current: str | None, counts: dict[str, int]) -> str | None:
    """One line of pg_restore's SQL: the table whose COPY block it is in, after it."""
    if current is None:
        match = _COPY.match(line)
        if match:
            counts[match.group(1)] = 0
            return match.group(1)
        return None
    if line == "\\.":
        return None
    counts[current] += 1
    return current


def _libpq(url: URL) -> str:
    """The URL for libpq tools: no SQLAlchemy driver name, no password (PGPASSWORD has it)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _tool(name: str) -> None:
    if shutil.which(name) is None:
        raise click.ClickException(f"{name} not found: install the PostgreSQL client "
                                   "tools (e.g. apt-get install postgresql-client)")


def _run(command: list[str], url: URL | None) -> str:
    _tool(command[0])
    environment = dict(os.environ)
    if url is not None and url.password:
        environment["PGPASSWORD"] = str(url.password)
    result = subprocess.run(command, env=environment, capture_output=True, text=True,  # noqa: S603
                            check=False)
    if result.returncode != 0:
        raise click.ClickException(f"{command[0]} failed: {result.stderr.strip()}")
    return result.stdout
