"""Views never query the database themselves, and never fetch a record by id except through
``app/scoping.py``: the one place where a clinic (or a patient's own account) limits reach.

A static check over the source, so a new view that reaches around the scoping helpers fails
here before any data can leak (``tests/web/test_route_walk.py`` proves the behaviour).
"""

import re
from pathlib import Path

import app

APP = Path(app.__file__).parent
VIEWS = sorted(APP.glob("*/views.py"))
# Direct database access from a view: a SELECT, a lookup by primary key, a legacy query.
DIRECT_QUERY = re.compile(r"\bselect\(|\bdb\.session\.(get|scalars?|execute)\(|\.query\b")
# The unscoped lookups scoping.py wraps: a view must call the *_or_404 / own_* helper instead.
UNSCOPED_LOOKUPS = re.compile(
    r"\b(clinic_patient|clinic_infusion|clinic_flag|own_checkin|own_response|own_session|"
    r"patient_of)\(")
ALLOWED = {("api/views.py", 'db.session.execute(text("SELECT 1"))')}  # /healthz: no data


def offending_lines(pattern: re.Pattern) -> list[str]:
    found = []
    for path in VIEWS:
        name = str(path.relative_to(APP))
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line) and (name, line.strip()) not in ALLOWED:
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_there_are_views_to_check():
    assert len(VIEWS) >= 10


def test_no_view_queries_the_database_itself():
    assert offending_lines(DIRECT_QUERY) == []


def test_no_view_looks_up_a_record_around_the_scoping_helpers():
    assert offending_lines(UNSCOPED_LOOKUPS) == []


def test_the_pattern_catches_what_it_should():
    assert DIRECT_QUERY.search("db.session.get(Patient, patient_id)")
    assert DIRECT_QUERY.search("rows = db.session.scalars(select(Flag))")
    assert UNSCOPED_LOOKUPS.search("patient = clinic_patient(clinic_id, patient_id)")
    assert not UNSCOPED_LOOKUPS.search("patient = patient_or_404(patient_id)")
