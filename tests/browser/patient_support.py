"""Helpers for the patient journeys at 360x740 (issue 15): the phone, taps that count
themselves, and the page never scrolling.

The phone, screenshots and axe are shared with every browser test (``tests/browser/conftest.py``).
"""

from tests.browser.conftest import PHONE


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


def fits_the_screen_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
