"""``flask --app app backup FILE`` and ``flask --app app restore FILE`` (docs/OPERATIONS.md).

SQLite: SQLite's online backup API, safe while the web and jobs processes run (it copies a
consistent snapshot that includes what is still in the WAL file, which copying the file with
``cp`` would miss). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, from the
PostgreSQL client tools, which must be the server's major version or newer.

The restore goes into an empty database only (a new SQLite file, or a PostgreSQL database
made with ``createdb``), never over live data; run ``flask --app app db upgrade`` after it.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from app.extensions import db


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
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(Path(url.database), target)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}", _libpq(url)], url)
    click.echo(f"Backed up to {target} ({target.stat().st_size} bytes)")


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
        _sqlite_copy(source, Path(url.database))
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={_libpq(url)}", str(source)], url)
    click.echo(f"Restored {source}; now run: flask --app app db upgrade")


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_copy(source: Path, target: Path) -> None:
    """Page-by-page online copy: a consistent snapshot even while others write."""
    source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target_db = sqlite3.connect(target)
    try:
        with target_db:
            source_db.backup(target_db)
    finally:
        target_db.close()
        source_db.close()


def _libpq(url: URL) -> str:
    """The URL for libpq tools: no SQLAlchemy driver name, no password (PGPASSWORD has it)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    if shutil.which(command[0]) is None:
        raise click.ClickException(f"{command[0]} not found: install the PostgreSQL client "
                                   "tools (e.g. apt-get install postgresql-client)")
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    result = subprocess.run(command, env=environment, capture_output=True, text=True,  # noqa: S603
                            check=False)
    if result.returncode != 0:
        raise click.ClickException(f"{command[0]} failed: {result.stderr.strip()}")
