"""Reminders at 360x740 through the page's own controls (issue 15, point 11): their state is
shown (off, on, blocked), they turn on and off (the browser unsubscribes and the server's row
goes), and when the push service cannot be reached the page says so in a sentence instead of
waiting in silence.

Chromium's own push service (Firebase Cloud Messaging) is out of this machine's reach, which
the unreachable case uses as it is. For turning reminders on and off, the test stands in for
that registration only: the browser's PushManager hands out a subscription of the real Web
Push service on 127.0.0.1 (tests/push_service.py), as tests/web/test_sign_out_removes_push.py
does for the API; everything after it (the page, the API, the rows, a real push) is the app's.
"""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import PushSubscription
from app.notifications.push_keys import public_key
from app.notifications.webpush import ensure_vapid_key
from tests import push_service as local_push
from tests.browser.conftest import PHONE, eventually, serious_axe_problems, sign_in

REMINDERS = "#reminders"
TURN_ON, TURN_OFF = "#reminders [data-turn-on]", "#reminders [data-turn-off]"
# The browser's push registration, answered by the local push service's subscription (kept in
# localStorage, as the browser keeps its own across page loads).
PUSH_MANAGER = """(() => {
  const SUBSCRIPTION = %s, KEY = "test-push-subscription";
  const made = (json) => ({ endpoint: json.endpoint, expirationTime: null, toJSON: () => json,
    unsubscribe: () => { localStorage.removeItem(KEY); return Promise.resolve(true); } });
  PushManager.prototype.subscribe = function () {
    localStorage.setItem(KEY, JSON.stringify(SUBSCRIPTION));
    return Promise.resolve(made(SUBSCRIPTION));
  };
  PushManager.prototype.getSubscription = function () {
    const kept = localStorage.getItem(KEY);
    return Promise.resolve(kept ? made(JSON.parse(kept)) : null);
  };
})();"""


@pytest.fixture
def push(live):
    """The live app sends to a real push service on 127.0.0.1, with its VAPID key made."""
    ensure_vapid_key(Path(live.app.config["VAPID_PRIVATE_KEY_PATH"]))
    live.app.config.update(PUSH_ENDPOINT_HOSTS=("127.0.0.1",), PUSH_ALLOW_HTTP=True)
    service = local_push.start(expected_vapid_key=public_key(live.app))
    yield service
    service.server.shutdown()


def _endpoints(live) -> list[str]:
    with live.app.app_context():
        return list(db.session.scalars(select(PushSubscription.endpoint)))


def _state(page, state: str) -> str:
    """Waits for the reminders section to be in ``state``; returns its sentence."""
    page.wait_for_selector(f"{REMINDERS}[data-state={state}]", timeout=15_000)
    return page.inner_text(f"{REMINDERS} [data-state-text]")


def _full_size(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, (selector, box)


def test_reminders_turn_on_show_their_state_and_turn_off(live, phone, push, shots):
    device = push.new_device()
    phone.add_init_script(PUSH_MANAGER % json.dumps(device.subscription(push.base_url)))
    phone.context.grant_permissions(["notifications"], origin=live.url)
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/")

    assert _state(phone, "off") == "Reminders are off on this device."
    assert phone.is_hidden(TURN_OFF)
    _full_size(phone, TURN_ON)
    phone.locator(TURN_ON).tap()

    assert _state(phone, "on") == "Reminders are on on this device."
    assert phone.inner_text(f"{REMINDERS} [data-message]") == \
        "You will get a reminder when a check-in is due."
    assert _endpoints(live) == [push.base_url + device.path]
    assert serious_axe_problems(phone) == []
    shots(phone, "reminders-on")

    phone.goto(f"{live.url}/account")  # the account page shows the same device's state
    assert _state(phone, "on") == "Reminders are on on this device."
    _full_size(phone, TURN_OFF)
    phone.locator(TURN_OFF).tap()

    assert _state(phone, "off") == "Reminders are off on this device."
    assert phone.inner_text(f"{REMINDERS} [data-message]").startswith("Reminders are off.")
    assert _endpoints(live) == []  # the server's row is gone
    assert phone.evaluate("localStorage.getItem('test-push-subscription')") is None  # unsubscribed
    shots(phone, "reminders-off")


def test_reminders_blocked_by_the_browser_say_so(live, phone, push):
    """Permission not given (the headless browser refuses the prompt): blocked, in words."""
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/")
    _state(phone, "off")
    phone.locator(TURN_ON).tap()

    sentence = _state(phone, "blocked")
    assert sentence.startswith("Reminders are blocked by your browser.")
    assert "Without permission" in phone.inner_text(f"{REMINDERS} [data-message]")
    assert phone.is_hidden(TURN_ON) and phone.is_hidden(TURN_OFF)
    assert _endpoints(live) == []


def test_an_unreachable_push_service_is_said_in_a_sentence(live, browser_type,
                                                           browser_type_launch_args, push,
                                                           tmp_path, shots):
    """A real profile with notifications allowed: Chromium asks its own push service, which
    cannot be reached from here, and its subscribe never answers. The page gives up after
    REMINDER_TIMEOUT_SECONDS and says so."""
    live.app.config["REMINDER_TIMEOUT_SECONDS"] = 3
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), viewport=PHONE, is_mobile=True, has_touch=True,
        **browser_type_launch_args)
    try:
        context.grant_permissions(["notifications"], origin=live.url)
        page = context.new_page()
        sign_in(page, live, "patient")
        page.goto(f"{live.url}/")
        _state(page, "off")
        page.locator(TURN_ON).tap()
        assert eventually(page, "document.querySelector('#reminders [data-message]')"
                                ".textContent.includes('could not be reached')", seconds=15)

        message = page.inner_text(f"{REMINDERS} [data-message]")
        assert message.startswith("The reminder service could not be reached, so reminders "
                                  "are still off."), message
        assert page.get_attribute(REMINDERS, "data-state") == "off"
        assert page.is_enabled(TURN_ON)  # it can be tried again
        assert _endpoints(live) == []
        assert serious_axe_problems(page) == []
        shots(page, "push-service-unreachable")
    finally:
        context.close()


def test_turning_off_without_reaching_aftercare_keeps_them_on_and_says_so(live, phone, push):
    """Offline, the server cannot be told: reminders stay on (its row would still send), the
    page says so; back online the same button turns them off."""
    device = push.new_device()
    phone.add_init_script(PUSH_MANAGER % json.dumps(device.subscription(push.base_url)))
    phone.context.grant_permissions(["notifications"], origin=live.url)
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/")
    _state(phone, "off")
    phone.locator(TURN_ON).tap()
    _state(phone, "on")

    phone.context.set_offline(True)
    phone.locator(TURN_OFF).tap()
    phone.wait_for_function("() => document.querySelector('#reminders [data-message]')"
                            ".textContent.includes('could not be reached')", timeout=15_000)
    assert phone.inner_text(f"{REMINDERS} [data-message]") == \
        "Aftercare could not be reached, so nothing was changed. Check your connection and " \
        "try again later."
    assert phone.get_attribute(REMINDERS, "data-state") == "on"
    assert _endpoints(live) == [push.base_url + device.path]

    phone.context.set_offline(False)
    phone.locator(TURN_OFF).tap()
    _state(phone, "off")
    assert _endpoints(live) == []


def test_a_browser_without_web_push_is_told_apart(live, phone):
    """No PushManager (an old browser, or one with push switched off): not supported, said in
    words, and no button that cannot work."""
    phone.add_init_script("delete window.PushManager;")
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/")

    assert _state(phone, "unsupported").startswith("This browser cannot show reminders.")
    assert phone.is_hidden(TURN_ON) and phone.is_hidden(TURN_OFF)
    assert serious_axe_problems(phone) == []
