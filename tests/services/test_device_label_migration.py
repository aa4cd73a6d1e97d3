"""Migration 0006 replaces the full User-Agents stored on existing sessions with labels."""

from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.extensions import db

AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0.0.0 Mobile Safari/537.36")


def test_existing_user_agents_become_labels(app):
    db.drop_all()
    upgrade(revision="0004")
    now = datetime(2026, 3, 10, tzinfo=UTC)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO clinic (id, name, timezone, phone, settings, created_at) "
            "VALUES (1, 'C', 'UTC', '', '{}', :now)"), {"now": now})
        connection.execute(text(
            "INSERT INTO user_account (id, clinic_id, email, name, role, active, created_at) "
            "VALUES (1, 1, 'a@x.test', 'A', 'clinician', true, :now)"), {"now": now})
        for number, device in enumerate([AGENT, "", "Chrome on Android"], 1):
            connection.execute(text(
                "INSERT INTO auth_session (id, user_id, token_hash, created_at, last_seen_at, "
                "expires_at, device) VALUES (:id, 1, :hash, :now, :now, :now, :device)"),
                {"id": number, "hash": f"h{number}", "now": now, "device": device})

    upgrade(revision="0006")

    with db.engine.connect() as connection:
        devices = connection.execute(text("SELECT device FROM auth_session ORDER BY id")).scalars()
        assert list(devices) == ["Chrome on Android", "Unknown device", "Chrome on Android"]
    downgrade(revision="base")
