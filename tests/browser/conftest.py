"""Real-browser tests: Debian's Chromium, driven by pytest-playwright, against the app served
on 127.0.0.1 by a real WSGI server (a secure context, so service workers and push work).

Chromium is never downloaded. The tests skip when it is missing, unless
AFTERCARE_REQUIRE_BROWSER=1 (set by .ci/run), which turns that skip into a failure.
"""

import os
import re
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from app import create_app
from app.auth.models import Role
from app.extensions import db, limiter
from tests import factories
from tests.live_server import LiveServer

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("AFTERCARE_REQUIRE_BROWSER") == "1"
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not os.path.exists(CHROMIUM):
        if REQUIRE_BROWSER:
            pytest.fail(f"Chromium is required (AFTERCARE_REQUIRE_BROWSER=1) but {CHROMIUM} "
                        "is missing")
        pytest.skip("Chromium not installed (apt-get install chromium, or set CHROMIUM_PATH)")
    return {"executable_path": CHROMIUM, "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture
def live(tmp_path):
    """The app on a fresh SQLite file, served for real; ``live.people`` are signed-up users."""
    app = create_app({
        "SECRET_KEY": "browser-tests",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.db'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "VAPID_PRIVATE_KEY_PATH": str(tmp_path / "instance" / "vapid_private.pem"),
        "PASSWORD_HASH_PARAMETERS": factories.TEST_PASSWORD_HASH,
    })
    with app.app_context():
        db.create_all()
        limiter.reset()
        now = datetime.now(UTC)
        clinic = factories.clinic(name="Browser Clinic")
        clinician = factories.staff(clinic, Role.CLINICIAN, email="dr@browser.test")
        patient = factories.patient(clinic, now, by=clinician, email="pat@browser.test")
        # History, so the pages under test show real tables, badges and a flag.
        factories.infusion(patient, end=now - timedelta(hours=5), by=clinician)
        factories.checkin(patient, taken_at=now - timedelta(hours=3), mood=5,
                          symptoms={"headache": 3, "nausea": 1}, note="walked home slowly")
        app.people = {"clinician": clinician.email, "patient": patient.user.email,
                      "patient_id": patient.id}
    server = LiveServer(app)
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def sign_in(page, live, who: str) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#email", live.app.people[who])
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    # Signed in once the browser has left the sign-in page (a busy machine may reach
    # "network idle" before the sign-in's redirect is followed).
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state("networkidle")


def eventually(page, expression: str, *, seconds: float = 15):
    """Evaluate ``expression`` (it may return a promise) until its result is truthy."""
    deadline = time.monotonic() + seconds
    while True:
        value = page.evaluate(expression)
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(100)


def wait_for_service_worker(page) -> None:
    """Registered, active, and controlling this page (a reload hands it the page)."""
    assert eventually(page, "navigator.serviceWorker.getRegistration()"
                            ".then(r => !!(r && r.active))"), "no active service worker"
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
        assert eventually(page, "!!navigator.serviceWorker.controller")


def status_says(page, text: str) -> None:
    """The outbox status line reads exactly ``text`` (not merely contains a word of it)."""
    page.wait_for_function("text => { const box = document.getElementById('outbox-status');"
                           " return box && !box.hidden && box.textContent.trim() === text; }",
                           arg=text, timeout=15_000)


@pytest.fixture
def phone(browser):
    """A page in a phone's browser: 360x740, touch, a phone's pixel density."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    yield context.new_page()
    context.close()


@pytest.fixture
def shots(request, tmp_path):
    """``shots(page, name)``: a full-page PNG of the page as it is now, named after the test,
    ``name`` and the viewport; returns its path. Saved in ``$AFTERCARE_SCREENSHOTS`` when set
    (CI keeps that folder), else in a ``screenshots`` folder of the test's tmp directory."""
    folder = Path(os.environ.get("AFTERCARE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name)

    def take(page, name: str) -> Path:
        size = page.viewport_size
        path = folder / f"{prefix}--{name}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    take.folder = folder
    return take


def serious_axe_problems(page) -> list[str]:
    """What axe-core finds serious or critical on the page as it is now, one line each."""
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]
