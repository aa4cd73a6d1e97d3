"""The ingest baseline: a bare Flask app that stores a check-in with one INSERT per table.

Run under the same gunicorn settings as Aftercare, on the same database. No sign-in, no
validation beyond JSON parsing, no prompts or flags: the floor a check-in endpoint could reach.
It writes the same rows Aftercare writes for a check-in (the check-in and its symptom ratings,
in one transaction), so the ratio compares the work around the write, not a smaller write.
"""

import os
import uuid
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, event

from app.checkins.models import CheckIn, SymptomRating
from app.database import _sqlite_pragmas

engine = create_engine(os.environ["BENCH_BASELINE_DATABASE_URL"], pool_pre_ping=True)
event.listen(engine, "connect", _sqlite_pragmas)  # the app's own SQLite settings
app = Flask(__name__)
checkin, rating = CheckIn.__table__, SymptomRating.__table__


@app.post("/checkins")
def create():
    data = request.get_json()
    now = datetime.now(UTC)
    with engine.begin() as connection:
        result = connection.execute(checkin.insert().values(
            patient_id=data["patient_id"], infusion_id=None,
            client_id=uuid.UUID(data["client_id"]),
            taken_at=datetime.fromisoformat(data["taken_at"]), received_at=now,
            mood=data["mood"], note=data.get("note", ""), home_safely=data.get("home_safely")))
        checkin_id = result.inserted_primary_key[0]
        if data.get("symptoms"):
            connection.execute(rating.insert(), [
                {"checkin_id": checkin_id, "code": s["code"], "severity": s["severity"],
                 "detail": s.get("detail", "")} for s in data["symptoms"]])
    return jsonify({"id": checkin_id}), 201
