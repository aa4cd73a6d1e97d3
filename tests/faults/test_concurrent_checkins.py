"""Many phones checking in at once, through a real threaded server: every check-in lands
exactly once, and copies of one check-in sent at the same moment store one row."""

import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from tests.faults.conftest import device, enrolled_patients

PATIENTS = 4
DEVICES_PER_PATIENT = 2  # 8 threads in all
OWN = 20                 # check-ins only one device sends
SHARED = 5               # check-ins both of a patient's devices send at the same moment


def _checkin(client_id: str, mood: int) -> dict:
    return {"client_id": client_id, "mood": mood,
            "taken_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "symptoms": [{"code": "headache", "severity": mood % 5}]}


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(served):
    if served.app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return  # PostgreSQL has row locks and no such settings
    with served.app.app_context():
        connection = db.session.connection()
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_concurrent_checkins_and_replays_all_land_exactly_once(served):
    with served.app.app_context():
        patients = enrolled_patients(PATIENTS)
        owners = [p.id for p in patients]
        phones = [(patient.id, device(served, patient.user))
                  for patient in patients for _ in range(DEVICES_PER_PATIENT)]
    shared = {pid: [str(uuid.uuid4()) for _ in range(SHARED)] for pid in owners}
    start_together = threading.Barrier(len(phones))
    answers: list[tuple[int, str, int, dict]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def send(patient_id, phone, client_id, mood):
        response = phone.post(f"{served.url}/api/v1/checkins", json={**_checkin(client_id, mood),
                                                                  "account": phone.account},
                              timeout=60)
        with lock:
            if response.status_code not in (200, 201):
                failures.append(f"{response.status_code} {response.text[:200]}")
            else:
                answers.append((patient_id, client_id, response.status_code, response.json()))

    def phone_thread(patient_id, phone):
        try:
            start_together.wait(timeout=60)
            for n in range(OWN + SHARED):
                if n % 5 == 0:  # every fifth, both devices send the same check-in at once
                    send(patient_id, phone, shared[patient_id][n // 5], mood=n % 11)
                else:
                    send(patient_id, phone, str(uuid.uuid4()), mood=n % 11)
        except Exception as error:  # noqa: BLE001  (reported below, with the others)
            with lock:
                failures.append(repr(error))

    threads = [threading.Thread(target=phone_thread, args=phone) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    sent_per_device = OWN + SHARED - SHARED  # distinct own check-ins per device
    assert len(answers) == len(phones) * (OWN + SHARED)
    with served.app.app_context():
        db.session.remove()
        stored = db.session.execute(select(CheckIn.patient_id, CheckIn.client_id)).all()
        ratings = db.session.scalar(select(func.count()).select_from(SymptomRating))
    expected = PATIENTS * (DEVICES_PER_PATIENT * sent_per_device + SHARED)
    assert len(stored) == expected
    assert len(set(stored)) == expected  # no (patient, client_id) twice
    assert ratings == expected  # each check-in's one rating, stored once
    assert {(p, str(c)) for p, c in stored} == {(p, c) for p, c, _status, _body in answers}

    # Each shared check-in: one device got 201 Created, the other 200 with the same row.
    by_copy: dict[tuple, list] = {}
    for patient_id, client_id, status, body in answers:
        by_copy.setdefault((patient_id, client_id), []).append((status, body["id"]))
    for patient_id, ids in shared.items():
        for client_id in ids:
            copies = by_copy[(patient_id, client_id)]
            assert sorted(status for status, _ in copies) == [200, 201], copies
            assert len({row_id for _, row_id in copies}) == 1
    statuses = Counter(status for *_, status, _body in answers)
    assert statuses == {201: expected, 200: PATIENTS * SHARED}
