"""The in-process cost of one check-in for a patient with 5 and with 500 check-ins in the
series (issue 14, point 1): server time through Flask's test client, no network, on a fresh
SQLite database in the bench directory. The ratio (500 / 5) should stay at or below 1.2:
the submission rules read the baseline and the new record, not the history.
"""

import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.extensions import db
from bench.databases import BENCH_DIR, bench_app
from tests import factories
from tests.conftest import Client

HISTORIES = (5, 500)
SAMPLES = 60


def _fresh_app():
    path = BENCH_DIR / "checkin_cost.db"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    app = bench_app(f"sqlite:///{path}", CHECKIN_RATE_LIMIT="100000/minute")
    app.test_client_class = Client
    with app.app_context():
        db.create_all()
    return app


def _client_with_history(app, clinic, history: int, now: datetime):
    patient = factories.patient(clinic, now - timedelta(days=2))
    infusion = factories.infusion(patient, end=now - timedelta(hours=30))
    factories.bulk_checkins(patient, infusion, history)
    return factories.sign_in(app, patient.user)


def _time_checkins(client, now: datetime, samples: int) -> list[float]:
    took = []
    for n in range(samples + 1):
        body = {"client_id": str(uuid.uuid4()), "mood": 6, "note": "",
                "taken_at": (now - timedelta(seconds=samples - n)).isoformat(),
                "symptoms": [{"code": "headache", "severity": 1}]}
        began = time.perf_counter()
        response = client.api("POST", "/api/v1/checkins", json=body)
        elapsed = time.perf_counter() - began
        if response.status_code != 201:
            raise RuntimeError(f"check-in refused: {response.status_code} {response.get_json()}")
        if n:  # the first one warms up
            took.append(elapsed * 1000)
    return took


def measure(samples: int = SAMPLES) -> dict:
    """{"5": median ms, "500": median ms, "ratio": 500 / 5}."""
    app = _fresh_app()
    now = datetime.now(UTC).replace(microsecond=0)
    figures: dict = {}
    with app.app_context():
        clinic = factories.clinic()
        for history in HISTORIES:
            client = _client_with_history(app, clinic, history, now)
            figures[str(history)] = round(statistics.median(
                _time_checkins(client, now, samples)), 2)
        db.engine.dispose()
    small, large = figures[str(HISTORIES[0])], figures[str(HISTORIES[-1])]
    figures["ratio"] = round(large / small, 2) if small else None
    return figures
