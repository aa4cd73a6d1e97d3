"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests.databases import new_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    session_database = request.getfixturevalue("postgres_url")
    with new_postgres_database(session_database,
                               f"{make_url(session_database).database}_migrations") as url:
        yield url


def test_upgrade_matches_models_and_downgrade_empties(empty_database, tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database,
                      "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            drift = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert drift == []

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_0019_lets_patients_have_no_email_and_its_downgrade_gives_them_one(empty_database,
                                                                            tmp_path):
    """Several accounts of one clinic without an email (NULLs never clash in the unique
    (clinic_id, email)); an address still cannot repeat; downgrading fills the NULLs with
    undeliverable, distinct addresses so the old NOT NULL holds."""
    import sqlalchemy as sa

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database,
                      "INSTANCE_PATH": str(tmp_path)})
    user = sa.text("INSERT INTO user_account (clinic_id, email, name, role, active, created_at)"
                   " VALUES (1, :email, 'P', 'patient', true, CURRENT_TIMESTAMP)")
    with app.app_context():
        upgrade(revision="0018")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO clinic (id, name, timezone, phone, settings, created_at) VALUES "
                "(1, 'C', 'UTC', '555', '{}', CURRENT_TIMESTAMP)"))
            connection.execute(user, {"email": "a@x.test"})
        upgrade(revision="0019")
        with db.engine.begin() as connection:
            connection.execute(user, {"email": None})
            connection.execute(user, {"email": None})
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.execute(user, {"email": "a@x.test"})
        downgrade(revision="0018")
        with db.engine.connect() as connection:
            emails = connection.execute(sa.text(
                "SELECT email FROM user_account ORDER BY id")).scalars().all()
        assert emails[0] == "a@x.test" and len(set(emails)) == 3
        assert all(e.endswith("@phone-only.invalid") for e in emails[1:])
        [column] = [c for c in inspect(db.engine).get_columns("user_account")
                    if c["name"] == "email"]
        assert column["nullable"] is False
        downgrade(revision="base")
        db.engine.dispose()
