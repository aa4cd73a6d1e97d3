"""The patient's history page grouped by series and infusion (issue 15, point 12): series
newest first under a heading, infusions in order within each, check-ins in the order taken;
a maintenance "infusion 1" no longer sits above induction "infusion 6" unlabelled."""

import re
from datetime import timedelta

import pytest

from app.auth.models import User
from app.extensions import db
from app.infusions import services as infusion_services
from tests import factories


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(), clock() - timedelta(days=40))


def _headings(html: str) -> list[str]:
    """The series (h2) and infusion (h3) headings of the history, in order, as plain text."""
    found = re.findall(r'<(h2) id="series-[^>]*>(.*?)</h2>|<(h3) data-infusion>(.*?)</h3>',
                       html, flags=re.S)
    found = [(a or c, b or d) for a, b, c, d in found]
    return [f"{tag}: " + " ".join(re.sub(r"<[^>]+>", "", text).split()) for tag, text in found]


def _induction_then_maintenance(patient, clock):
    """Induction infusions 1..6 (a check-in after each), then maintenance infusion 1 and 2."""
    start = clock() - timedelta(days=30)
    for day in range(6):
        end = start + timedelta(days=2 * day)
        factories.infusion(patient, end=end)
        factories.checkin(patient, taken_at=end + timedelta(hours=2), mood=4 + day % 3, now=clock())
    by = db.session.get(User, patient.created_by_id)
    infusion_services.start_maintenance(patient, by=by, now=start + timedelta(days=14))
    db.session.commit()
    for week in (2, 3):
        end = start + timedelta(days=7 * week + 1)
        factories.infusion(patient, end=end)
        factories.checkin(patient, taken_at=end + timedelta(hours=6), mood=8, now=clock())
        factories.checkin(patient, taken_at=end + timedelta(hours=2), mood=7, now=clock())


def test_series_newest_first_and_infusions_in_order_within_each(app, clock, patient, signed_in):
    factories.checkin(patient, taken_at=clock() - timedelta(days=35), mood=6, now=clock())
    _induction_then_maintenance(patient, clock)

    html = signed_in(patient.user).get("/history").get_data(as_text=True)

    headings = _headings(html)
    names = [h.split(" ·")[0] for h in headings]
    assert names == ["h2: Maintenance series", "h3: Infusion 1", "h3: Infusion 2",
                     "h2: Induction series", *[f"h3: Infusion {n}" for n in range(1, 7)],
                     "h2: Before your first infusion"]
    assert all(" · " in h for h in headings[:-1]), headings  # each says when


def test_checkins_of_one_infusion_in_the_order_taken(app, clock, patient, signed_in):
    _induction_then_maintenance(patient, clock)

    html = signed_in(patient.user).get("/history").get_data(as_text=True)

    maintenance_one = html[html.index("Infusion 1"):html.index("Infusion 2")]
    assert maintenance_one.index("Mood 7 out of 10") < maintenance_one.index("Mood 8 out of 10")
    assert html.count('data-series') == 2 and html.count("data-infusion") == 8


def test_a_patient_with_no_infusion_yet_sees_one_group(app, clock, patient, signed_in):
    factories.checkin(patient, taken_at=clock() - timedelta(hours=1), mood=5, now=clock())

    html = signed_in(patient.user).get("/history").get_data(as_text=True)

    assert _headings(html) == ["h2: Before your first infusion"]
    assert "Mood 5 out of 10" in html
