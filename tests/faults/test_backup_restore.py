"""The backup and restore procedure of docs/OPERATIONS.md, run command by command as an
operator would: migrate and seed a database, back it up while another connection is writing,
restore into a fresh database, migrate that, and compare every table's rows."""

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, REQUIRE_POSTGRES
from tests.databases import new_postgres_database

ROOT = Path(__file__).parents[2]
OPERATIONS = (ROOT / "docs" / "OPERATIONS.md").read_text()
# The commands the procedure documents; each must be in docs/OPERATIONS.md word for word.
BACKUP = ["flask", "--app", "app", "backup"]
RESTORE = ["flask", "--app", "app", "restore"]
UPGRADE = ["flask", "--app", "app", "db", "upgrade"]
# The rows compared one by one, besides every table's count.
SAMPLES = {
    "checkin": "SELECT id, patient_id, client_id, taken_at, mood, note FROM checkin ORDER BY id",
    "user_account": "SELECT id, email, role, password_hash FROM user_account ORDER BY id",
    "flag": "SELECT id, patient_id, rule, status FROM flag ORDER BY id",
    "clinic": "SELECT id, name, phone FROM clinic ORDER BY id",
}


def test_the_documented_commands_are_the_ones_tested():
    for command in (BACKUP, RESTORE, UPGRADE):
        assert " ".join(command) in OPERATIONS
    assert "createdb" in OPERATIONS


def run(command: list[str], database_url: str, tmp_path, *extra: str) -> str:
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "backup-tests",
                   "AFTERCARE_INSTANCE_PATH": str(tmp_path / "instance")}
    flask = [sys.executable, "-m", "flask", *command[1:]]
    result = subprocess.run([*flask, *extra], env=environment, cwd=ROOT,  # noqa: S603
                            capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr[-3000:]}"
    return result.stdout


def snapshot(database_url: str) -> dict:
    """Every table's row count, the sampled rows, and the migration the schema is at."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            found = {"counts": {t: connection.execute(text(
                f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}}  # noqa: S608
            found.update({name: [tuple(map(str, row)) for row in connection.execute(text(sql))]
                          for name, sql in SAMPLES.items()})
            found["revision"] = connection.execute(
                text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    return found


def migrated_and_seeded(database_url: str, tmp_path) -> dict:
    run(UPGRADE, database_url, tmp_path)
    run(["flask", "--app", "app", "seed-demo"], database_url, tmp_path)
    before = snapshot(database_url)
    assert before["counts"]["checkin"] > 20 and before["counts"]["flag"] > 0  # real content
    return before


def assert_restored(before: dict, restored_url: str, tmp_path) -> None:
    run(UPGRADE, restored_url, tmp_path)  # a restore is upgraded like any database
    after = snapshot(restored_url)
    assert after["counts"] == before["counts"]
    for name in SAMPLES:
        assert after[name] == before[name], name
    assert after["revision"] == before["revision"]


def test_sqlite_backup_while_writing_then_restore(tmp_path):
    source = tmp_path / "aftercare.db"
    source_url = f"sqlite:///{source}"
    migrated_and_seeded(source_url, tmp_path)

    # The app is running: one committed change still only in the WAL file (no checkpoint),
    # which copying aftercare.db with cp would lose, and one write in progress.
    committed = sqlite3.connect(source, isolation_level=None)
    committed.execute("PRAGMA wal_autocheckpoint=0")
    committed.execute("UPDATE clinic SET phone = '555-0199'")
    assert Path(f"{source}-wal").stat().st_size > 0
    writing = sqlite3.connect(source, isolation_level=None)
    writing.execute("BEGIN IMMEDIATE")
    writing.execute("UPDATE clinic SET phone = 'not committed'")
    before = snapshot(source_url)
    try:
        run(BACKUP, source_url, tmp_path, str(tmp_path / "aftercare-backup.db"))
    finally:
        writing.execute("ROLLBACK")
        writing.close()
        committed.close()
    assert {row[2] for row in before["clinic"]} == {"555-0199"}

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    run(RESTORE, restored_url, tmp_path, str(tmp_path / "aftercare-backup.db"))
    assert_restored(before, restored_url, tmp_path)


def test_a_restore_never_overwrites_a_database_in_use(tmp_path):
    source_url = f"sqlite:///{tmp_path / 'aftercare.db'}"
    run(UPGRADE, source_url, tmp_path)
    run(BACKUP, source_url, tmp_path, str(tmp_path / "copy.db"))
    environment = {**os.environ, "DATABASE_URL": source_url, "SECRET_KEY": "x",
                   "AFTERCARE_INSTANCE_PATH": str(tmp_path / "instance")}
    refused = subprocess.run([sys.executable, "-m", "flask", *RESTORE[1:],  # noqa: S603
                              str(tmp_path / "copy.db")], env=environment, cwd=ROOT,
                             capture_output=True, text=True, check=False)
    assert refused.returncode != 0
    assert "not empty" in refused.stderr


@pytest.fixture
def pg_tools(postgres_url):
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install postgresql-client)"
        if REQUIRE_POSTGRES:
            pytest.fail(f"AFTERCARE_REQUIRE_POSTGRES=1 but {message}")
        pytest.skip(message)


def test_postgresql_backup_while_writing_then_restore(pg_tools, tmp_path):
    base = make_url(PG_URL).database
    suffix = uuid.uuid4().hex[:8]
    with new_postgres_database(PG_URL, f"{base}_live_{suffix}") as source_url, \
            new_postgres_database(PG_URL, f"{base}_restored_{suffix}") as restored_url:
        # (new_postgres_database is what `createdb` does in the documented procedure)
        before = migrated_and_seeded(source_url, tmp_path)
        engine = create_engine(source_url)
        try:
            with engine.connect() as writing:  # a write in progress during the dump
                writing.execute(text("UPDATE clinic SET phone = 'not committed'"))
                run(BACKUP, source_url, tmp_path, str(tmp_path / "aftercare.dump"))
                writing.rollback()
            assert owner_only(tmp_path / "aftercare.dump")
        finally:
            engine.dispose()
        run(RESTORE, restored_url, tmp_path, str(tmp_path / "aftercare.dump"))
        assert_restored(before, restored_url, tmp_path)


def sqlite_url(path: Path) -> str:
    """A SQLAlchemy URL for ``path``: ``%`` and ``?`` escaped as a URL needs them."""
    return "sqlite:///" + str(path).replace("%", "%25").replace("?", "%3F")


def owner_only(path: Path) -> bool:
    return path.stat().st_mode & 0o777 == 0o600


def test_paths_with_hash_question_mark_and_percent_back_up_and_restore(tmp_path):
    # Before the fix, "#" ended the SQLite URI: site#2/ backed up as an empty 4 KB file, and
    # nightly#1.db "Restored" nothing.
    site = tmp_path / "site#2 100%?"
    site.mkdir()
    source_url = sqlite_url(site / "aftercare.db")
    before = migrated_and_seeded(source_url, tmp_path)
    backup_file = tmp_path / "nightly#1?%41.db"
    said = run(BACKUP, source_url, tmp_path, str(backup_file))
    assert "checked" in said
    assert backup_file.stat().st_size > 100_000
    restored = tmp_path / "restored#3%25?" / "aftercare.db"
    restored.parent.mkdir()
    said = run(RESTORE, sqlite_url(restored), tmp_path, str(backup_file))
    assert "Restored" in said and "checked" in said
    assert_restored(before, sqlite_url(restored), tmp_path)


def test_database_wal_and_backups_are_readable_by_their_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask: files are world-readable unless made otherwise
    try:
        database = tmp_path / "aftercare.db"
        run(UPGRADE, f"sqlite:///{database}", tmp_path)
        writer = sqlite3.connect(database, isolation_level=None)  # keeps -wal and -shm open
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("INSERT INTO alembic_version VALUES ('x')")
        writer.execute("DELETE FROM alembic_version WHERE version_num = 'x'")
        try:
            for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
                assert owner_only(path), path
            run(BACKUP, f"sqlite:///{database}", tmp_path, str(tmp_path / "copy.db"))
        finally:
            writer.close()
        assert owner_only(tmp_path / "copy.db")
        run(RESTORE, f"sqlite:///{tmp_path / 'restored.db'}", tmp_path, str(tmp_path / "copy.db"))
        assert owner_only(tmp_path / "restored.db")
    finally:
        os.umask(old)


def refused(command: list[str], database_url: str, tmp_path, *extra: str):
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "x",
                   "AFTERCARE_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-m", "flask", *command[1:], *extra],  # noqa: S603
                            env=environment, cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode != 0, result.stdout
    assert "Restored" not in result.stdout and "Backed up" not in result.stdout
    return result.stderr


@pytest.mark.parametrize("content", [b"", b"not a database at all, just text\n" * 200])
def test_restoring_something_that_is_not_a_backup_fails_loudly(tmp_path, content):
    bogus = tmp_path / "nightly#1.db"
    bogus.write_bytes(content)
    message = refused(RESTORE, f"sqlite:///{tmp_path / 'restored.db'}", tmp_path, str(bogus))
    assert "not a backup" in message or "not a readable SQLite database" in message


def test_a_backup_of_a_missing_database_fails_and_leaves_no_file(tmp_path):
    # SQLite would otherwise create an empty database and back that up.
    missing = tmp_path / "site#2" / "aftercare.db"
    target = tmp_path / "copy.db"
    message = refused(BACKUP, sqlite_url(missing), tmp_path, str(target))
    assert "no such database file" in message
    assert not target.exists() and not missing.exists()
