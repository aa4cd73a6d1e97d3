"""Helpers for the patient journeys at 360x740 (issue 15): the phone, taps that count
themselves, the page never scrolling, axe, and screenshots kept as test artifacts.

Screenshots go to ``$AFTERCARE_SCREENSHOTS`` when it is set (CI keeps that directory), else to
a ``screenshots`` folder in the test's pytest tmp directory (docs/TESTING.md).
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    yield context.new_page()
    context.close()


@pytest.fixture
def shots(request, tmp_path):
    """``shots(page, name)`` saves a full-page screenshot named after the test and ``name``."""
    base = os.environ.get("AFTERCARE_SCREENSHOTS")
    folder = Path(base) if base else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name)

    def save(page, name: str) -> Path:
        path = folder / f"{prefix}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


class Taps:
    """Taps as a person makes them, counted; each must leave the page unscrolled and hit a
    control already on the screen (``scrolling=False``, the two-tap check-in)."""

    def __init__(self, page, *, scrolling: bool = False):
        self.page, self.scrolling, self.count = page, scrolling, 0

    def __call__(self, selector: str) -> None:
        target = self.page.locator(selector)
        if not self.scrolling:
            box = target.bounding_box()
            assert box is not None, f"{selector} is not shown"
            assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (
                f"{selector} is off the first screen at y={box['y']:.0f}")
        target.tap()
        self.count += 1
        if not self.scrolling:
            assert self.page.evaluate("window.scrollY") == 0, f"scrolled after {selector}"


def serious_axe_problems(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def fits_the_screen_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
