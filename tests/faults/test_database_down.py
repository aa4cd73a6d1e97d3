"""The database goes down under a running server (a real outage, see ``database_outage``):
the API answers 503 with Retry-After in its JSON error shape, pages answer a friendly 503, and
a phone's check-in is kept in the PWA outbox until the database is back, then stored once."""

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.checkins.models import CheckIn
from app.extensions import db
from tests import factories
from tests.browser.conftest import status_says, wait_for_service_worker
from tests.faults.conftest import database_outage, device, enrolled_patients

SAVED = "Saved on this phone; it will be sent when you are back online."


def _count(app) -> int:
    with app.app_context():
        db.session.remove()
        return db.session.scalar(select(func.count()).select_from(CheckIn))


def assert_api_unavailable(response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == 503 and "unavailable" in error["message"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_checkin_sent_while_the_database_is_down_is_a_503_and_lands_once_after(served):
    with served.app.app_context():
        [patient] = enrolled_patients(1)
        phone = device(served, patient.user)
    checkin = {"client_id": str(uuid.uuid4()), "mood": 4, "account": phone.account,
               "taken_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}

    with database_outage(served.app.config["SQLALCHEMY_DATABASE_URI"]):
        assert_api_unavailable(phone.post(f"{served.url}/api/v1/checkins", json=checkin,
                                          timeout=60))
        again = phone.post(f"{served.url}/api/v1/checkins", json=checkin, timeout=60)
        assert_api_unavailable(again)

    assert _count(served.app) == 0
    stored = phone.post(f"{served.url}/api/v1/checkins", json=checkin, timeout=60)
    assert stored.status_code == 201
    replay = phone.post(f"{served.url}/api/v1/checkins", json=checkin, timeout=60)
    assert (replay.status_code, replay.json()["id"]) == (200, stored.json()["id"])
    assert _count(served.app) == 1


def test_reads_pages_and_health_answer_503_while_postgresql_is_down(served_postgres):
    # (On SQLite the outage is a held write lock, which leaves reads working.)
    served = served_postgres
    with served.app.app_context():
        [patient] = enrolled_patients(1)
        phone = device(served, patient.user)

    with database_outage(served.app.config["SQLALCHEMY_DATABASE_URI"]):
        assert_api_unavailable(phone.get(f"{served.url}/api/v1/checkins", timeout=60))
        assert_api_unavailable(phone.get(f"{served.url}/api/v1/session", timeout=60))
        for path in ("/", "/checkin", "/history", "/login"):
            page = phone.get(f"{served.url}{path}", timeout=60, allow_redirects=False)
            assert page.status_code == 503, (path, page.text[:300])
            assert int(page.headers["Retry-After"]) > 0
            assert page.headers["Content-Type"].startswith("text/html")
            assert "briefly unavailable" in page.text
            assert "Traceback" not in page.text and "psycopg" not in page.text
        health = phone.get(f"{served.url}/healthz", timeout=60)
        assert health.status_code == 503
        assert health.json() == {"status": "unavailable", "database": "unavailable"}

    assert phone.get(f"{served.url}/api/v1/checkins", timeout=60).status_code == 200
    assert phone.get(f"{served.url}/checkin", timeout=60).status_code == 200
    assert phone.get(f"{served.url}/healthz", timeout=60).status_code == 200


def test_the_pwa_keeps_a_checkin_made_while_the_database_is_down_then_sends_it_once(
        served_postgres, page):
    served = served_postgres
    with served.app.app_context():
        [patient] = enrolled_patients(1)
        email = patient.user.email
    page.goto(f"{served.url}/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{served.url}/checkin")
    wait_for_service_worker(page)

    with database_outage(served.app.config["SQLALCHEMY_DATABASE_URI"]):
        page.click("label[for=mood-3]")
        page.click("details[data-side-effects] > summary")  # "No side effects": the list
        page.click("label[for=symptom-nausea-1]")
        page.click("form[data-checkin] button[type=submit]")
        status_says(page, SAVED)
        [saved] = page.evaluate("AftercareOutbox.waiting()")
    body = json.loads(saved["body"])
    assert body["mood"] == 3 and {"code": "nausea", "severity": 1} in body["symptoms"]
    assert _count(served.app) == 0  # the database is back; nothing reached it

    page.goto(f"{served.url}/")  # the next visit sends what the phone kept
    status_says(page, "Sent. Thank you.")
    assert page.evaluate("AftercareOutbox.waiting()") == []
    assert _count(served.app) == 1
    page.evaluate("entry => AftercareOutbox.save(entry)", saved)  # sent again: still one
    page.evaluate("AftercareOutbox.drain()")
    assert page.evaluate("AftercareOutbox.waiting()") == []
    with served.app.app_context():
        stored = db.session.scalars(select(CheckIn)).one()
        assert (str(stored.client_id), stored.mood) == (body["client_id"], 3)
