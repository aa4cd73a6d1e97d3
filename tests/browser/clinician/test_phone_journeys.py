"""Clinician journeys that must still work on a phone at 360x740 (issue 15, point 14): the
patient page with its charts, and resolving a high flag with a note of what was done, through
the page's own controls; nothing wider than the screen, axe clean, screenshots kept."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.flags.models import Flag, FlagStatus
from tests.browser.conftest import eventually, serious_axe_problems, sign_in


def _wider_than_the_screen(page) -> list[str]:
    """Elements whose right edge passes the viewport, outside a box that scrolls sideways on
    its own (a wide table in such a box is fine; a page that scrolls sideways is not)."""
    return page.evaluate("""() => {
        const scrolls = e => { for (let a = e.parentElement; a; a = a.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true; }
            return false; };
        return [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !scrolls(e)
                         && e.getClientRects().length)
            .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className); }""")


def test_the_patient_page_and_its_charts_fit_a_phone(live, phone, shots):
    sign_in(phone, live, "clinician")
    phone.goto(f"{live.url}/clinic/patients/{live.app.people['patient_id']}")
    assert eventually(phone, "document.querySelectorAll('figure.chart-drawn').length === "
                             "document.querySelectorAll('canvas[data-chart-url]').length")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert _wider_than_the_screen(phone) == []
    widths = phone.evaluate("[...document.querySelectorAll('canvas[data-chart-url]')]"
                            ".map(c => c.getBoundingClientRect().width)")
    assert widths and all(200 <= width <= 360 for width in widths), widths
    assert serious_axe_problems(phone) == []
    shots(phone, "patient-page")


def test_resolving_a_high_flag_on_a_phone(live, phone, shots):
    sign_in(phone, live, "clinician")
    phone.goto(f"{live.url}/clinic/")
    phone.get_by_role("link", name=re.compile("^Resolve")).first.click()

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Resolve: Severe side effect")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_axe_problems(phone) == []
    phone.get_by_label("What was done").tap()
    phone.get_by_label("What was done").fill("Called: resting, headache easing")
    phone.get_by_role("button", name="Resolve").tap()

    expect(phone.get_by_role("status")).to_contain_text("Flag resolved.")
    with live.app.app_context():
        flag = db.session.scalar(select(Flag).where(Flag.rule == "severe_symptom"))
        assert (flag.status, flag.resolve_note) == (FlagStatus.RESOLVED,
                                                    "Called: resting, headache easing")
    shots(phone, "resolve-done")
