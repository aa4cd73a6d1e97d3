"""One episode definition: the cohort's SQL (app/trends/cohort.py) and the patient page's
Python (app/flags/episodes.py) find the same side-effect episodes in the same check-ins.

Random check-in histories for a few infusions are stored in the real database (SQLite and
PostgreSQL, as the ``app`` fixture is), then read both ways: per infusion and side effect,
whether there is an episode and how many hours after the infusion it was back at 0 (or that
it is not yet); per infusion number and side effect, the cohort's counts and median.
"""

import statistics
import uuid
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from app.flags.queries import patient_episodes
from app.trends import cohort
from tests import factories

CODES = ("headache", "nausea", "dissociation")
# Whole hours after the infusion's end, mostly the ladder's, so two check-ins at one time
# (two devices, one offline) are common; every duration and median is then exact to the
# 0.1 h both sides round to.
hour = st.sampled_from([0, 2, 6, 24, 48, 72]) | st.integers(0, 96)
checkin = st.tuples(hour, st.dictionaries(st.sampled_from(CODES), st.integers(0, 4),
                                          max_size=3))
infusion = st.lists(checkin, max_size=8)
patient = st.lists(infusion, min_size=1, max_size=3)
histories = st.lists(patient, min_size=1, max_size=3)


def store(histories, now) -> int:
    """A new clinic with these patients, infusions and check-ins; returns its id."""
    clinic = factories.clinic()
    for infusions in histories:
        person = factories.patient(clinic, now - timedelta(days=60))
        ends = [now - timedelta(days=40 - 5 * n) for n in range(len(infusions))]
        recorded = [factories.infusion(person, end=end) for end in ends]
        for made, checkins in zip(recorded, infusions, strict=True):
            for hours, symptoms in checkins:
                row = CheckIn(patient_id=person.id, infusion_id=made.id, client_id=uuid.uuid4(),
                              taken_at=made.actual_end + timedelta(hours=hours), mood=5)
                row.symptoms = [SymptomRating(code=code, severity=severity)
                                for code, severity in symptoms.items()]
                db.session.add(row)
    db.session.commit()
    return clinic.id


def python_episodes(clinic_id: int) -> dict:
    """(infusion id, code) -> (patient id, infusion number, resolved hours or None)."""
    from app.infusions.models import Infusion
    from app.patients.models import Patient

    found = {}
    for person in db.session.scalars(db.select(Patient).where(Patient.clinic_id == clinic_id)):
        numbers = dict(db.session.execute(db.select(Infusion.id, Infusion.number)
                                          .where(Infusion.patient_id == person.id)).all())
        for infusion_id, episodes in patient_episodes(person.id).items():
            for episode in episodes:
                found[(infusion_id, episode.symptom)] = (
                    person.id, numbers[infusion_id], episode.resolved_hours)
    return found


def sql_episodes(clinic_id: int) -> dict:
    episode = cohort._episodes(cohort.scoped_infusions(cohort.Filters(clinic_id)))
    return {(r.infusion_id, r.code): (r.patient_id, r.number, r.hours)
            for r in db.session.execute(db.select(episode))}


def summarised(episodes: dict) -> dict:
    """What cohort.side_effects says per (number, code), worked out from Python episodes."""
    groups: dict = {}
    for (_, code), (patient_id, number, hours) in episodes.items():
        groups.setdefault((number, code), []).append((patient_id, hours))
    summary = {}
    for key, rows in groups.items():
        resolved = [hours for _, hours in rows if hours is not None]
        summary[key] = (len(rows), len(resolved),
                        len({p for p, hours in rows if hours is not None}),
                        round(statistics.median(resolved), 1) if resolved else None)
    return summary


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(histories=histories)
# Reported at 2 h on one device and gone at 2 h on another: not yet resolved (nothing later).
@example(histories=[[[(2, {"headache": 2}), (2, {"headache": 0})]]])
@example(histories=[[[(2, {"headache": 0}), (2, {"headache": 2}), (6, {"headache": 0})]]])
def test_the_cohort_sql_and_the_python_find_the_same_episodes(app, clock, histories):
    clinic_id = store(histories, clock())
    python, sql = python_episodes(clinic_id), sql_episodes(clinic_id)
    assert set(python) == set(sql)
    for key, (patient_id, number, hours) in python.items():
        assert sql[key][:2] == (patient_id, number)
        if hours is None:
            assert sql[key][2] is None, key
        else:
            assert sql[key][2] is not None and abs(sql[key][2] - hours) < 0.01, key
    rows = cohort.side_effects(cohort.Filters(clinic_id))["rows"]
    assert {(r["number"], r["code"]): (r["episodes"], r["resolved"], r["resolved_patients"],
                                       r["median_hours"]) for r in rows} == summarised(python)
