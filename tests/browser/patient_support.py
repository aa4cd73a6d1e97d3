"""Helpers for the patient journeys at 360x740 (issue 15): the phone, taps that count
themselves, and the page never scrolling.

The phone, screenshots and axe are shared with every browser test (``tests/browser/conftest.py``).
"""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from app.extensions import db
from app.prompts.models import Prompt
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
            assert self._scroll_y() in (0, None), f"scrolled after {selector}"

    def _scroll_y(self) -> float | None:
        """The page's scroll after a tap; None when the tap already navigated away (Send,
        online: the done page is loading, and the old page has no scroll left to ask)."""
        try:
            return self.page.evaluate("window.scrollY")
        except PlaywrightError as error:
            if "Execution context was destroyed" not in str(error):
                raise
            return None


def fits_the_screen_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def weekly_questionnaire_due(live, *, due: bool) -> None:
    """Make the live patient's first weekly PHQ-9 prompt due now, or due only tomorrow.

    The fixture's prompts follow the clinic's clock, so at some hours of the day the weekly
    questionnaire is due and is the home page's main button; a journey says which it needs."""
    with live.app.app_context():
        weekly = db.session.scalars(select(Prompt).where(
            Prompt.patient_id == live.app.people["patient_id"],
            Prompt.series_id.is_not(None)).order_by(Prompt.due_at)).first()
        now = datetime.now(UTC)
        start = now - timedelta(minutes=1) if due else now + timedelta(days=1)
        weekly.due_at, weekly.window_ends_at = start, start + timedelta(hours=2)
        db.session.commit()
