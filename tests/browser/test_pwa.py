"""The installable, offline-capable patient app in real Chromium."""

import json
import time

from sqlalchemy import func, select

from app.checkins.models import CheckIn
from app.extensions import db
from tests.browser.conftest import eventually, sign_in, status_says, wait_for_service_worker

SAVED = "Saved on this phone; it will be sent when you are back online."


def _checkins(live) -> int:
    with live.app.app_context():
        return db.session.scalar(select(func.count()).select_from(CheckIn))


def test_manifest_and_service_worker_make_it_installable(live, browser_type,
                                                         browser_type_launch_args, tmp_path):
    # A real profile: Playwright's default contexts are incognito, where nothing installs.
    context = browser_type.launch_persistent_context(str(tmp_path / "profile"),
                                                     **browser_type_launch_args)
    page = context.new_page()
    sign_in(page, live, "patient")
    wait_for_service_worker(page)

    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}
    assert any(i["purpose"] == "maskable" for i in manifest["icons"])
    assert manifest["id"] == manifest["scope"] == manifest["start_url"] == "/"
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live.url}/"
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    context.close()
    assert errors == []


def test_a_checkin_made_offline_is_kept_then_sent_once(live, page):
    before = _checkins(live)  # the fixture's history
    sign_in(page, live, "patient")
    page.goto(f"{live.url}/checkin")
    wait_for_service_worker(page)
    page.context.set_offline(True)

    page.click("label[for=mood-7]")
    page.click("label[for=symptom-headache-2]")
    page.click("form[data-checkin] button[type=submit]")

    status_says(page, SAVED)
    assert _checkins(live) == before
    saved = page.evaluate("AftercareOutbox.waiting()")
    assert len(saved) == 1
    body = json.loads(saved[0]["body"])
    assert body["mood"] == 7 and {"code": "headache", "severity": 2} in body["symptoms"]

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    status_says(page, "Sent. Thank you.")
    assert _checkins(live) == before + 1

    # A replay of the same entry, twice, changes nothing on the server.
    page.evaluate("entry => AftercareOutbox.save(entry)", saved[0])
    page.evaluate("AftercareOutbox.drain().then(() => AftercareOutbox.save(arguments_0))"
                  .replace("arguments_0", json.dumps(saved[0])))
    page.evaluate("AftercareOutbox.drain()")
    assert page.evaluate("AftercareOutbox.waiting()") == []
    assert _checkins(live) == before + 1


def test_the_checkin_form_opens_offline_from_the_service_worker(live, page):
    before = _checkins(live)  # the fixture's history
    sign_in(page, live, "patient")
    wait_for_service_worker(page)
    page.context.set_offline(True)

    page.goto(f"{live.url}/checkin")  # no network: the stored offline page answers
    page.wait_for_selector("text=You are offline")
    page.click("label[for=mood-4]")
    page.click("text=Save check-in")
    status_says(page, SAVED)

    # Back online, this page's own "online" handler sends what it kept (navigating away
    # first would race it: the send could finish before the next page looks).
    page.context.set_offline(False)
    status_says(page, "Sent. Thank you.")
    assert _checkins(live) == before + 1


def test_a_broken_or_refused_entry_is_set_aside_and_shown(live, page):
    before = _checkins(live)  # the fixture's history
    sign_in(page, live, "patient")
    wait_for_service_worker(page)
    page.evaluate("""Promise.all([
        AftercareOutbox.save({key: "bad-json", url: "/api/v1/checkins", body: "{not json",
                              account: document.body.dataset.account,
                              saved_at: new Date().toISOString()}),
        AftercareOutbox.save({key: "refused", url: "/api/v1/checkins",
                              account: document.body.dataset.account,
                              saved_at: new Date().toISOString(),
                              body: JSON.stringify({client_id: crypto.randomUUID(),
                                                    taken_at: new Date().toISOString(),
                                                    mood: 11})}),
    ])""")

    page.reload()
    page.wait_for_selector("#outbox-rejected:not([hidden]) li >> nth=1")

    text = page.inner_text("#outbox-rejected")
    assert "could not be read" in text
    assert "mood" in text
    assert page.evaluate("AftercareOutbox.waiting()") == []  # never retried forever
    assert len(page.evaluate("AftercareOutbox.rejected(document.body.dataset.account)")) == 2
    assert _checkins(live) == before


def test_signing_out_clears_the_phone(live, page):
    sign_in(page, live, "patient")
    wait_for_service_worker(page)
    page.evaluate("caches.keys()")
    assert page.evaluate("caches.keys().then(k => k.length)") >= 1

    page.goto(f"{live.url}/account")
    page.click("main form[data-logout] button")  # Sign out, on the Account page
    page.wait_for_selector("text=You are signed out")

    assert page.evaluate("caches.keys().then(k => k.length)") == 0
    databases = page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))")
    assert "aftercare" not in databases


def test_a_push_shows_a_notification_that_opens_the_checkin(live, page):
    cdp, worker = _signed_in_patient_with_a_running_worker(live, page)

    # Chromium's DevTools push delivery is occasionally dropped (about one run in twenty on
    # this machine, worker running and activated); the same message again is harmless
    # because its tag replaces any notification already shown.
    message = {"origin": live.url, "registrationId": worker,
               "data": json.dumps({"title": "Aftercare", "body": "Time for your check-in",
                                   "url": "/checkin", "tag": "prompt-1"})}
    shown_one = "navigator.serviceWorker.ready.then(r => r.getNotifications())" \
                ".then(n => n.length === 1)"
    for _ in range(3):
        cdp.send("ServiceWorker.deliverPushMessage", message)
        if eventually(page, shown_one, seconds=5):
            break
    assert page.evaluate(shown_one)
    shown = page.evaluate("""navigator.serviceWorker.ready.then(r => r.getNotifications())
        .then(n => n.map(x => ({title: x.title, body: x.body, url: x.data.url})))""")
    assert shown == [{"title": "Aftercare", "body": "Time for your check-in", "url": "/checkin"}]


def test_the_same_message_delivered_twice_shows_one_notification(live, page):
    """At least once: a push resent after a crash carries the tag of the first (outbox.payload),
    so the phone replaces the notification instead of showing a second (docs/DELIVERY.md)."""
    cdp, worker = _signed_in_patient_with_a_running_worker(live, page)

    message = {"origin": live.url, "registrationId": worker,
               "data": json.dumps({"title": "Aftercare", "body": "Time for your check-in",
                                   "url": "/checkin", "tag": "prompt-7"})}
    shown = "navigator.serviceWorker.ready.then(r => r.getNotifications())" \
            ".then(n => n.map(x => ({tag: x.tag, timestamp: x.timestamp})))"

    def deliver_until(condition) -> list:
        # DevTools push delivery is occasionally dropped (see the test above): deliver again
        # until the copy was shown. Each copy shown is a new notification object, with the
        # moment it was shown.
        for _ in range(5):
            cdp.send("ServiceWorker.deliverPushMessage", message)
            end = time.monotonic() + 3
            while time.monotonic() < end:
                notifications = page.evaluate(shown)
                if condition(notifications):
                    return notifications
                page.wait_for_timeout(100)
        raise AssertionError(page.evaluate(shown))

    first = deliver_until(lambda n: len(n) >= 1)
    assert [n["tag"] for n in first] == ["prompt-7"]
    page.wait_for_timeout(50)  # the copy is shown at a later millisecond
    # The copy sent again after a crash: shown (a new timestamp), and still one notification.
    again = deliver_until(lambda n: any(x["timestamp"] > first[0]["timestamp"] for x in n))
    assert [n["tag"] for n in again] == ["prompt-7"]


def _signed_in_patient_with_a_running_worker(live, page):
    """(DevTools session, registration id) once the patient's service worker is activated and
    running: Chromium drops a push delivered before that."""
    page.context.grant_permissions(["notifications"], origin=live.url)
    sign_in(page, live, "patient")
    wait_for_service_worker(page)
    cdp = page.context.new_cdp_session(page)
    registrations, versions = [], []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.on("ServiceWorker.workerVersionUpdated", lambda event: versions.extend(event["versions"]))
    cdp.send("ServiceWorker.enable")

    def registration_id():
        ours = {r["registrationId"] for r in registrations if r["scopeURL"] == f"{live.url}/"}
        ready = [v["registrationId"] for v in versions if v["registrationId"] in ours
                 and v["status"] == "activated" and v["runningStatus"] == "running"]
        return ready[-1] if ready else None

    deadline = time.monotonic() + 10
    while registration_id() is None and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert registration_id() is not None, (registrations, versions)
    return cdp, registration_id()
