"""The cohort API is not a side door (issue 12, point 6): every cohort read (page and chart
endpoints) is audited with its filters, and a figure from fewer than five patients is withheld,
so a filter narrowed to one day cannot show one person's moods, side effects or PHQ-9."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from tests import factories
from tests.web.flag_support import answers_totalling, phq9

CHARTS = ("mood", "side-effects", "phq9", "adherence")


@pytest.fixture
def cohort(app, clock):
    """Six patients whose first infusion ended 3 days ago (2 h check-ins from all six; a 6 h
    check-in from two; a headache after four), and one whose infusion ended 10 days ago."""
    now = clock()
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patients = [factories.patient(clinic, now - timedelta(days=20), by=clinician)
                for _ in range(7)]
    for index, patient in enumerate(patients[:6]):
        end = now - timedelta(days=3)
        factories.infusion(patient, end=end, by=clinician)
        factories.checkin(patient, taken_at=end + timedelta(hours=2), mood=index + 2,
                          symptoms={"headache": 2 if index < 4 else 0})
        if index < 2:
            factories.checkin(patient, taken_at=end + timedelta(hours=6), mood=9)
        phq9(patient, taken_at=end - timedelta(hours=3), answers=answers_totalling(20))
    alone = patients[6]
    alone_end = now - timedelta(days=10)
    factories.infusion(alone, end=alone_end, by=clinician)
    factories.checkin(alone, taken_at=alone_end + timedelta(hours=2), mood=1, note="",
                      symptoms={"headache": 4})
    phq9(alone, taken_at=alone_end - timedelta(hours=3), answers=answers_totalling(24))
    phq9(alone, taken_at=alone_end + timedelta(hours=30), answers=answers_totalling(5))
    db.session.commit()
    return {"clinic": clinic, "clinician": clinician, "alone_day": (alone_end - timedelta(
        hours=5)).date()}


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def test_a_single_day_filter_on_one_patient_shows_no_figure_and_is_audited(cohort, signed_in):
    client = signed_in(cohort["clinician"])
    day = cohort["alone_day"].isoformat()
    for name in CHARTS:
        chart = client.get(f"/api/v1/cohort/{name}?start={day}&end={day}").get_json()
        assert chart["suppressed"] is True or chart["rows"] == [], name
        assert "fewer than 5 patients" in chart.get("note", "fewer than 5 patients")
        for dataset in chart["datasets"]:
            assert all(value is None for value in dataset["data"]), (name, dataset)
        cells = [cell for row in chart["table"]["rows"] for cell in row[1:]]
        assert set(cells) <= {"fewer than 5 patients", "—"}, (name, cells)
        assert "fewer than 5 patients" in cells or name == "adherence", (name, cells)
    mood = client.get(f"/api/v1/cohort/mood?start={day}&end={day}").get_json()
    assert mood["rows"] == [{"number": 1, "hours": 2, "mean_mood": None, "checkins": None,
                             "patients": None, "suppressed": True}]
    phq = client.get(f"/api/v1/cohort/phq9?start={day}&end={day}").get_json()["summary"]
    assert phq["responders"] is None and phq["mean_baseline"] is None and phq["suppressed"]
    # One event per read, naming the chart and the filters.
    events = _events("cohort.chart")
    assert [e.target for e in events] == [*CHARTS, "mood", "phq9"]
    assert events[0].detail == {"start": day, "end": day, "series": "induction"}
    assert events[0].actor_id == cohort["clinician"].id
    assert events[0].clinic_id == cohort["clinic"].id and events[0].patient_id is None


def test_figures_from_five_patients_or_more_are_shown(cohort, signed_in):
    client = signed_in(cohort["clinician"])
    mood = client.get("/api/v1/cohort/mood").get_json()
    cells = {(r["number"], r["hours"]): r for r in mood["rows"]}
    # 2 h: seven patients (the six, and the one alone 10 days ago); 6 h: two, withheld.
    assert cells[(1, 2)]["suppressed"] is False and cells[(1, 2)]["patients"] == 7
    assert cells[(1, 2)]["mean_mood"] == round((sum(range(2, 8)) + 1) / 7, 2)
    assert cells[(1, 6)] == {"number": 1, "hours": 6, "mean_mood": None, "checkins": None,
                             "patients": None, "suppressed": True}
    assert mood["datasets"][0]["data"][:2] == [cells[(1, 2)]["mean_mood"], None]
    assert mood["table"]["rows"][0][1:3] == [f"{cells[(1, 2)]['mean_mood']:.1f} (7, 7)",
                                             "fewer than 5 patients"]
    assert mood["suppressed"] is True
    side = client.get("/api/v1/cohort/side-effects").get_json()
    [headache] = [r for r in side["rows"] if r["code"] == "headache"]
    # Seen after 5 of 7 infusions: shown; resolved by no one (no later 0): no median anyway.
    assert headache["incidence"] == round(5 / 7, 3) and headache["suppressed"] is False
    adherence = client.get("/api/v1/cohort/adherence").get_json()
    assert all(r["suppressed"] is False for r in adherence["rows"]) or adherence["rows"] == []


def test_the_page_is_audited_and_says_what_is_withheld(cohort, signed_in):
    client = signed_in(cohort["clinician"])
    day = cohort["alone_day"].isoformat()
    page = client.get(f"/clinic/cohort?start={day}&end={day}").get_data(as_text=True)
    assert "fewer than 5 patients" in page
    assert 'class="muted chart-note"' in page
    [event] = _events("cohort.view")
    assert event.detail["start"] == day and event.detail["end"] == day


