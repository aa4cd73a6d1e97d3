"""The account page tells devices apart in words (issue 15, point 12): browser and system from
the User-Agent, when each was last used ("Chrome on Android, last used today at 11:00"), when
it signed in; and its buttons are real buttons of the app's size, not the browser's default."""

import re

import pytest

from tests import factories
from tests.web.auth_support import LAPTOP, PHONE, device


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(), clock())


def _devices(html: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", "", text).split())
            for text in re.findall(r"<strong data-device-label>(.*?)</strong>", html, re.S)]


def test_each_device_in_words_most_recently_used_first(app, clock, patient):
    device(app, patient.user, LAPTOP)
    clock.advance(hours=1, minutes=12)  # 12:12 in New York
    phone = device(app, patient.user, PHONE)

    html = phone.get("/account").get_data(as_text=True)

    assert _devices(html) == ["Chrome on Android, last used today at 12:12",
                              "Firefox on Windows, last used today at 11:00"]
    assert "Signed in today at 11:00" in html


def test_a_device_used_yesterday_says_so(app, clock, patient):
    device(app, patient.user, LAPTOP)
    clock.advance(days=1)
    phone = device(app, patient.user, PHONE)

    html = phone.get("/account").get_data(as_text=True)

    assert "Firefox on Windows, last used yesterday at 11:00" in _devices(html)


def test_every_button_on_the_account_page_has_the_apps_style(app, clock, patient):
    device(app, patient.user, LAPTOP)
    phone = device(app, patient.user, PHONE)

    html = phone.get("/account").get_data(as_text=True)

    buttons = re.findall(r"<button[^>]*>", html)
    assert len(buttons) >= 5
    styled = re.compile(r'class="[^"]*\b(primary|secondary|danger)\b')
    unstyled = [b for b in buttons if not styled.search(b)]
    assert unstyled == []
