"""The patient list in Chromium (issue 15, point 4): search by name with the page's own search
box, sort by clicking a column heading; axe; screenshots at a desk and on a phone."""

import re

from playwright.sync_api import expect

from tests.browser.clinician.conftest import crowd
from tests.browser.conftest import serious_axe_problems, sign_in


def _names(page) -> list[str]:
    return page.locator("table.patient-list tbody th").all_inner_texts()


def test_search_and_sort_the_patient_list(live, desk, shots):
    crowd(live, 3)
    sign_in(desk, live, "clinician")
    desk.get_by_role("link", name="Patients", exact=True).click()

    expect(desk.get_by_role("heading", level=1)).to_have_text("Patients")
    assert len(_names(desk)) == 4
    first = desk.locator("table.patient-list tbody tr").first
    expect(first).to_contain_text("high")
    assert serious_axe_problems(desk) == []
    shots(desk, "patient-list")

    desk.get_by_role("link", name=re.compile("^Latest mood")).click()
    expect(desk.locator("th[aria-sort=ascending]")).to_contain_text("Latest mood")
    moods = [int(t.split()[0]) for t in
             desk.locator("table.patient-list tbody tr td:nth-child(4)").all_inner_texts()]
    assert moods == sorted(moods)
    desk.get_by_role("link", name=re.compile("^Latest mood")).click()
    expect(desk.locator("th[aria-sort=descending]")).to_contain_text("Latest mood")

    wanted = _names(desk)[1]
    desk.get_by_label("Search by name").fill(wanted)
    desk.get_by_role("button", name="Search").click()
    expect(desk.locator("table.patient-list caption")).to_contain_text(wanted)
    assert _names(desk) == [wanted]
    shots(desk, "patient-list-search")


def test_the_patient_list_works_on_a_phone(live, phone, shots):
    sign_in(phone, live, "clinician")
    phone.goto(f"{live.url}/clinic/patients")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_label("Search by name").fill("nobody like this")
    phone.get_by_role("button", name="Search").click()
    expect(phone.locator("main")).to_contain_text("No patient's name contains")
    assert serious_axe_problems(phone) == []
    shots(phone, "patient-list-search")
