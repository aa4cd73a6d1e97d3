"""The patient's home page at 360x740 (issue 15, points 9 and 10): a due PHQ-9 is the main
button, due times are in words, and the navigation fits one line."""

from tests.browser.conftest import serious_axe_problems, sign_in
from tests.browser.patient_support import Taps, fits_the_screen_width, weekly_questionnaire_due


def test_a_due_phq9_is_the_main_button(live, phone, shots):
    weekly_questionnaire_due(live, due=True)
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/")
    main = phone.locator("[data-main-action]")
    assert main.inner_text() == "Answer the weekly questionnaire"
    assert main.bounding_box()["y"] < 740
    due = phone.inner_text("#due-heading ~ ul")
    assert "by " in due and ("today" in due or "tomorrow" in due), due
    assert fits_the_screen_width(phone)
    assert serious_axe_problems(phone) == []
    shots(phone, "phq9-due")

    Taps(phone, scrolling=True)("[data-main-action]")
    phone.wait_for_url("**/phq9")
    assert "PHQ-9" in phone.inner_text("h1")


PATIENT_PAGES = ["/", "/checkin", "/history", "/phq9", "/progress", "/account"]
ONE_LINE = """() => {
  const items = [...document.querySelectorAll('header nav li')];
  const tops = new Set(items.map(li => Math.round(li.getBoundingClientRect().top)));
  const nav = document.querySelector('header nav ul');
  const bar = document.querySelector('header.topbar');
  return {rows: tops.size, items: items.length, overflow: nav.scrollWidth > nav.clientWidth
          || bar.scrollWidth > bar.clientWidth || bar.getBoundingClientRect().right > 360};
}"""


def test_the_patient_navigation_fits_one_line_at_360_px(live, phone, shots):
    sign_in(phone, live, "patient")
    for path in PATIENT_PAGES:
        phone.goto(f"{live.url}{path}")
        assert phone.evaluate(ONE_LINE) == {"rows": 1, "items": 4, "overflow": False}, path
        assert fits_the_screen_width(phone), path
    shots(phone, "account")
    assert serious_axe_problems(phone) == []  # the account page, with its sign-out button
    assert phone.locator("main form[data-logout] button").is_visible()
