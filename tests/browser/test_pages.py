"""Patient pages at 360 px wide, and automated accessibility checks (axe-core) in Chromium."""


from tests.browser.conftest import eventually, serious_axe_problems, sign_in

PATIENT_PAGES = ["/", "/checkin", "/history", "/phq9", "/offline", "/progress", "/account"]
CLINICIAN_PAGES = ["/clinic/", "/clinic/patients", "/clinic/patients/{patient_id}",
                   "/clinic/patients/new", "/clinic/cohort", "/account"]


def test_patient_pages_fit_360_px_without_sideways_scrolling(live, phone):
    sign_in(phone, live, "patient")
    for path in PATIENT_PAGES:
        phone.goto(f"{live.url}{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide"


def test_patient_pages_pass_axe(live, phone):
    sign_in(phone, live, "patient")
    problems = {}
    for path in PATIENT_PAGES + ["/login"]:
        phone.goto(f"{live.url}{path}")
        found = serious_axe_problems(phone)
        if found:
            problems[path] = found
    assert problems == {}


def test_clinician_pages_pass_axe(live, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live, "clinician")
    problems = {}
    for path in CLINICIAN_PAGES:
        page.goto(f"{live.url}{path.format(**live.app.people)}")
        found = serious_axe_problems(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_keyboard_alone_completes_a_checkin(live, phone):
    """Tab to the mood, pick it with the arrow keys, tab to submit, press Enter."""
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/checkin")
    phone.focus("#mood-0")
    phone.keyboard.press("ArrowRight")  # radio groups move with the arrow keys
    phone.keyboard.press("ArrowRight")
    assert phone.evaluate("document.querySelector('input[name=mood]:checked').value") == "2"
    phone.focus("form[data-checkin] button[type=submit]")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/checkins/*")
    assert "Thank you" in phone.inner_text("main")


def test_charts_are_drawn_by_chart_js_under_the_csp(live, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, live, "clinician")
    for path in ("/clinic/patients/{patient_id}", "/clinic/cohort"):
        page.goto(f"{live.url}{path.format(**live.app.people)}")
        expected = page.evaluate("document.querySelectorAll('canvas[data-chart-url]').length")
        assert expected >= 4
        drawn = eventually(page, "document.querySelectorAll('figure.chart-drawn').length === "
                                 f"{expected} && typeof Chart === 'function'")
        assert drawn, f"not every chart on {path} was drawn"
    assert problems == []
