"""A tapped push notification records its opening (issue 16, point 7), in real Chromium on a
phone-sized screen (360x740).

The push is a real one: the send job sends the prompt to the tests' Web Push service, which
decrypts it as a phone would; that plain payload is handed to the page's registered service
worker through DevTools (ServiceWorker.deliverPushMessage: Chromium here cannot reach a push
service), so the worker's own push handler shows the notification.

What Chromium cannot do here is tap a notification: headless Chromium has no notification
centre, and DevTools has no command for it. So the tap is covered in two honest halves:
 - the worker's choice: its ``notificationTarget`` (sw.js), asked inside the running worker
   (Playwright's ``context.service_workers``, ``worker.evaluate``) with the real notification's
   data and the real open windows; the page then goes where the worker would open;
 - the worker's own ``notificationclick`` listener, run by an event the test builds and
   dispatches in the worker (a synthetic event: untrusted, no user activation, its
   ``waitUntil`` replaced by the test's, since the browser refuses it on an untrusted event).
   With the check-in already open it fetches the link, and the opening is recorded. Its
   ``focus()`` (and ``openWindow()``, in the other branch) need the activation a real tap
   gives, so they are not proven here.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import services as notifications
from app.notifications.models import Notification, NotificationKind, NotificationStatus
from app.notifications.push_keys import public_key
from app.notifications.webpush import ensure_vapid_key
from app.prompts.services import is_questionnaire
from jobs import send_notifications
from tests import factories, push_service
from tests.browser.conftest import PHONE, eventually
from tests.browser.test_pwa import _signed_in_patient_with_a_running_worker

NOTIFICATIONS = "navigator.serviceWorker.ready.then(r => r.getNotifications())" \
                ".then(n => n.map(x => ({tag: x.tag, data: x.data})))"


@pytest.fixture
def pushed(live):
    """The patient's first due prompt, sent by the send job to a real push service: (the
    notification's id, the payload as the push service decrypted it)."""
    app = live.app
    app.config.update(PUSH_ENDPOINT_HOSTS=("127.0.0.1",), PUSH_ALLOW_HTTP=True)
    with app.app_context():
        ensure_vapid_key(Path(app.config["VAPID_PRIVATE_KEY_PATH"]))
        service = push_service.start(expected_vapid_key=public_key(app))
        device = service.new_device()
        # The first due check-in prompt (at some hours of the day the patient's first due
        # prompt is the weekly PHQ-9's, which leads to /phq9), and that patient's phone.
        message = next(m for m in db.session.scalars(select(Notification).where(
            Notification.kind == NotificationKind.PROMPT,
            Notification.status == NotificationStatus.DUE)
            .order_by(Notification.due_at, Notification.id))
            if not is_questionnaire(m.prompt.slot))
        notifications.upsert_subscription(message.user_id,
                                          device.subscription(service.base_url),
                                          now=datetime.now(UTC))
        db.session.commit()
        message_id, due = message.id, message.due_at
        send_notifications.run(due)  # due_at is outside quiet hours, as scheduled
        [delivery] = [d for d in service.deliveries_to(device)
                      if d.payload and d.payload["tag"] == f"prompt-{message.prompt_id}"]
    yield message_id, delivery.payload
    service.server.shutdown()


def _opened_at(live, message_id: int):
    with live.app.app_context():
        return db.session.get(Notification, message_id).opened_at


def _show(live, page, cdp, registration: str, payload: dict) -> dict:
    """The worker's push handler shows the payload (delivered again if DevTools drops it, as
    tests/browser/test_pwa.py explains); returns the notification as shown."""
    message = {"origin": live.url, "registrationId": registration,
               "data": json.dumps(payload)}
    for _ in range(3):
        cdp.send("ServiceWorker.deliverPushMessage", message)
        if eventually(page, NOTIFICATIONS + ".then(n => n.length === 1)", seconds=5):
            break
    [shown] = page.evaluate(NOTIFICATIONS)
    return shown


def _worker(page):
    context = page.context
    if not context.service_workers:
        context.wait_for_event("serviceworker")
    return context.service_workers[0]


TARGET = """async () => {
  const [shown] = await self.registration.getNotifications();
  const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
  return notificationTarget(shown.data, windows.map((w) => w.url));
}"""

CLICK = """async () => {
  const [shown] = await self.registration.getNotifications();
  const event = new NotificationEvent("notificationclick", {notification: shown});
  const waited = [];
  Object.defineProperty(event, "waitUntil", {value: (promise) => waited.push(promise)});
  self.dispatchEvent(event);  // the worker's own listener, as sw.js registered it
  const settled = await Promise.allSettled(waited);
  const left = await self.registration.getNotifications();
  return {waited: waited.length, left: left.length,
          outcome: settled.map((s) => s.status === "fulfilled" ? "done" : String(s.reason))};
}"""


def test_a_tapped_push_opens_its_own_link_and_the_opening_is_recorded_once(live, phone,
                                                                           pushed):
    message_id, payload = pushed
    assert phone.viewport_size == PHONE
    cdp, registration = _signed_in_patient_with_a_running_worker(live, phone)
    phone.goto(f"{live.url}/progress")  # the app open, not on the check-in

    shown = _show(live, phone, cdp, registration, payload)
    assert shown["tag"] == payload["tag"]
    assert shown["data"] == {"url": payload["url"], "page": "/checkin"}
    assert shown["data"]["url"].startswith("/m/")

    worker = _worker(phone)
    # No window on the check-in: the tap opens the message's own link.
    assert worker.evaluate(TARGET) == {"open": payload["url"]}
    assert _opened_at(live, message_id) is None
    phone.goto(live.url + worker.evaluate(TARGET)["open"])
    phone.wait_for_url(f"{live.url}/checkin")
    first = _opened_at(live, message_id)
    assert first is not None

    # The check-in already open: that window is chosen, and the link is still fetched.
    assert worker.evaluate(TARGET) == {"focus": 0, "record": payload["url"]}
    clicked = worker.evaluate(CLICK)
    assert clicked["waited"] == 1 and clicked["left"] == 0  # the listener closed it
    assert _opened_at(live, message_id) == first  # opened again: the first time stays
    phone.goto(live.url + payload["url"])
    phone.wait_for_url(f"{live.url}/checkin")
    assert _opened_at(live, message_id) == first


def test_the_listener_records_the_opening_when_the_check_in_is_already_open(live, phone,
                                                                            pushed):
    message_id, payload = pushed
    cdp, registration = _signed_in_patient_with_a_running_worker(live, phone)
    phone.goto(f"{live.url}/checkin")
    _show(live, phone, cdp, registration, payload)

    assert _opened_at(live, message_id) is None
    clicked = _worker(phone).evaluate(CLICK)

    # The listener closed the notification and its wait ended once the link's fetch had
    # been answered, though focusing the window was refused (no real tap's activation here:
    # "Not allowed to focus a window"): the wait is on both settling, not on both succeeding.
    assert clicked == {"waited": 1, "left": 0, "outcome": ["done"]}
    assert _opened_at(live, message_id) is not None
    assert phone.url == f"{live.url}/checkin"  # the page the patient was on is left alone


def test_signed_out_the_link_asks_for_sign_in_then_lands_on_the_check_in(live, browser, pushed):
    message_id, payload = pushed
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(live.url + payload["url"])
        page.wait_for_url(lambda url: "/login" in url)
        assert _opened_at(live, message_id) is not None
        sign_in_here(page, live)
        page.wait_for_url(f"{live.url}/checkin")
    finally:
        context.close()


def sign_in_here(page, live) -> None:
    """The sign-in form the link led to (``sign_in`` would load a fresh one, losing ?next)."""
    page.fill("#email", live.app.people["patient"])
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")

