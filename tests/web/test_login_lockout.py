"""Issue 12, point 8: no targeted lockout.

Wrong passwords from a stranger must slow the stranger down without locking the clinician out.
Attempts from a device where the account has signed in before (a signed cookie naming the
account by a keyed digest) count against that device only; attempts from any other device
count per client address and per email, as before. Real limiter, memory storage. With Redis
the same counters live in Redis under the same keys (tests/web/test_rate_limits.py shows the
sharing), and the device cookie is checked without any storage at all.
"""

import pytest

from app.auth.known_devices import COOKIE
from tests import factories
from tests.web.auth_support import login, signed_in_role

STRANGER, CLINIC_WIFI, NEW_PLACE = "203.0.113.9", "198.51.100.20", "192.0.2.33"


@pytest.fixture
def clinician(app):
    return factories.staff(factories.clinic())


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _own_laptop(app, clinician, address: str):
    """The clinician's laptop: signed in once (which remembers the device), then out again."""
    laptop = _client(app, address)
    assert login(laptop, clinician.email).status_code == 302
    laptop.csrf = ""
    laptop.form("/logout")
    laptop.csrf = ""
    assert signed_in_role(laptop) is None
    return laptop


def _guess(client, email: str, times: int) -> list[int]:
    return [login(client, email, f"guess number {n}").status_code for n in range(times)]


def test_a_strangers_guesses_do_not_lock_the_clinician_out_of_their_own_devices(app, clinician):
    laptop = _own_laptop(app, clinician, CLINIC_WIFI)
    stranger = _client(app, STRANGER)

    assert _guess(stranger, clinician.email, 11)[-1] == 429  # the stranger is stopped

    assert login(laptop, clinician.email).status_code == 302  # from the clinic's Wi-Fi
    assert signed_in_role(laptop) == "clinician"


def test_the_clinicians_device_still_signs_in_from_the_strangers_own_address(app, clinician):
    """A stranger on the clinic's own network (one shared address) locks nobody out."""
    laptop = _own_laptop(app, clinician, CLINIC_WIFI)
    stranger = _client(app, CLINIC_WIFI)

    assert _guess(stranger, clinician.email, 11)[-1] == 429
    assert login(laptop, clinician.email).status_code == 302


def test_guessing_is_still_limited_from_every_other_device(app, clinician):
    _own_laptop(app, clinician, CLINIC_WIFI)  # its first sign-in counted once for the email
    assert _guess(_client(app, STRANGER), clinician.email, 9) == [401] * 9

    # another address, no cookie: the per-email limit holds
    assert _guess(_client(app, NEW_PLACE), clinician.email, 1) == [429]


def test_a_known_device_is_limited_too_on_its_own_counter(app, clinician):
    """A stolen laptop with the cookie guesses no faster than a stranger."""
    laptop = _own_laptop(app, clinician, CLINIC_WIFI)

    assert _guess(laptop, clinician.email, 11) == [401] * 10 + [429]
    # ... and that did not use up anyone else's allowance
    assert _guess(_client(app, STRANGER), clinician.email, 1) == [401]


def test_a_device_cookie_for_another_account_or_a_forged_one_exempts_nothing(app, clinician):
    other = factories.staff(clinician.clinic)
    laptop = _own_laptop(app, other, STRANGER)  # a real cookie, but for someone else
    assert _guess(laptop, clinician.email, 11)[-1] == 429

    forger = _client(app, NEW_PLACE)
    forger.set_cookie(COOKIE, "eyJkIjoieCIsImEiOltdfQ.forged")
    assert _guess(forger, clinician.email, 1) == [429]  # the per-email limit still counts


def test_the_device_cookie_holds_no_email_and_is_http_only(app, clinician):
    laptop = _client(app, CLINIC_WIFI)
    response = login(laptop, clinician.email)

    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    assert clinician.email not in header
    assert clinician.email.split("@")[0] not in header
    assert "HttpOnly" in header and "SameSite=Lax" in header
