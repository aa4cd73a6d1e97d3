"""The patient list (issue 15, point 4): per patient the highest open flag, last check-in,
latest mood (and baseline), PHQ-9 latest and baseline, next infusion; sortable and searchable
by name on the server, through a schema; bad parameters are a 400 in words; only the clinic's
own patients; the same number of queries for 2 patients as for 12."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.infusions import services as infusions
from tests import factories
from tests.web.flag_support import answers_totalling, page_of, phq9, rows

URL = "/clinic/patients"


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def desk(clinic, signed_in):
    return signed_in(factories.staff(clinic))


def _named(clinic, name, now):
    patient = factories.patient(clinic, now - timedelta(days=10))
    patient.display_name = name
    db.session.commit()
    return patient


@pytest.fixture
def three(clinic, clock):
    """Ada: mood 7 then 1 (a high flag), PHQ-9 18 then 12, next infusion planned.
    Bea: mood 6, no flag. Cy: nothing yet."""
    now = clock()
    ada, bea, cy = (_named(clinic, n, now) for n in ("Ada Lovelace", "Bea Arthur", "Cy Young"))
    factories.infusion(ada, end=now - timedelta(days=2))
    factories.checkin(ada, taken_at=now - timedelta(days=2) + timedelta(hours=2), mood=7)
    factories.checkin(ada, taken_at=now - timedelta(hours=3), mood=1)
    phq9(ada, taken_at=now - timedelta(days=8), answers=answers_totalling(18))
    phq9(ada, taken_at=now - timedelta(days=1), answers=answers_totalling(12))
    infusions.record(ada, {"planned_start": now + timedelta(days=2)},
                     by=factories.staff(clinic), now=now)
    db.session.commit()
    factories.infusion(bea, end=now - timedelta(days=1))
    factories.checkin(bea, taken_at=now - timedelta(hours=20), mood=6)
    return {"ada": ada, "bea": bea, "cy": cy}


def _table(desk, query=""):
    response = desk.get(URL + query)
    assert response.status_code == 200, page_of(response)[:300]
    return rows(page_of(response))


def test_each_row_shows_flag_checkin_mood_phq9_and_next_infusion(three, desk):
    table = _table(desk)

    ada = next(r for r in table if r[0] == "Ada Lovelace")
    assert ada[1] == "high"
    assert ada[3] == "1 (7)"
    assert ada[4] == "12 (18)"
    assert ada[2] != "—" and ada[5] != "—"
    bea = next(r for r in table if r[0] == "Bea Arthur")
    assert (bea[1], bea[3], bea[4], bea[5]) == ("none", "6 (6)", "—", "—")


SORTS = {
    "default: highest flag": ("", ["Ada Lovelace", "Bea Arthur", "Cy Young"]),
    "name": ("?sort=name", ["Ada Lovelace", "Bea Arthur", "Cy Young"]),
    "name descending": ("?sort=name&order=desc", ["Cy Young", "Bea Arthur", "Ada Lovelace"]),
    "mood, lowest first": ("?sort=mood", ["Ada Lovelace", "Bea Arthur", "Cy Young"]),
    "mood, highest first": ("?sort=mood&order=desc", ["Bea Arthur", "Ada Lovelace", "Cy Young"]),
    "last check-in, newest first": ("?sort=checkin&order=desc",
                                    ["Ada Lovelace", "Bea Arthur", "Cy Young"]),
    "last check-in, oldest first": ("?sort=checkin", ["Bea Arthur", "Ada Lovelace", "Cy Young"]),
    "PHQ-9": ("?sort=phq9", ["Ada Lovelace", "Bea Arthur", "Cy Young"]),
    "next infusion": ("?sort=infusion", ["Ada Lovelace", "Bea Arthur", "Cy Young"]),
}


@pytest.mark.parametrize(("query", "names"), SORTS.values(), ids=SORTS.keys())
def test_sorting_on_the_server_patients_without_a_value_last(three, desk, query, names):
    assert [r[0] for r in _table(desk, query)] == names


@pytest.mark.parametrize(("query", "names"), [
    ("?q=ada", ["Ada Lovelace"]), ("?q=A", ["Ada Lovelace", "Bea Arthur"]),
    ("?q=%20young%20", ["Cy Young"]), ("?q=100%25", []), ("?q=_", []),
    ("?q=&sort=", ["Ada Lovelace", "Bea Arthur", "Cy Young"]),
])
def test_searching_by_name(three, desk, query, names):
    assert [r[0] for r in _table(desk, query)] == names


@pytest.mark.parametrize("query", [
    "?sort=bogus", "?sort=NAME", "?order=up", "?q=" + "x" * 121, "?page=2", "?sort=name;drop",
])
def test_bad_parameters_are_400_in_words_never_500(app, three, desk, query):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    response = desk.get(URL + query)

    assert response.status_code == 400
    assert re.search(r"Sort by one of|Order is|Longer than|does not ask for",
                     page_of(response)), page_of(response)[:500]


def test_only_the_clinics_own_patients(three, desk, clock):
    other = factories.patient(factories.clinic(), clock())

    names = [r[0] for r in _table(desk)]

    assert other.display_name not in names and len(names) == 3


class Queries:
    def __call__(self, *args):
        self.count += 1

    def during(self, call):
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self)
        try:
            call()
        finally:
            event.remove(db.engine, "before_cursor_execute", self)
        return self.count


def test_a_fixed_number_of_queries_whatever_the_number_of_patients(three, desk, clinic, clock):
    counter = Queries()
    few = counter.during(lambda: desk.get(URL))
    for index in range(9):
        patient = factories.patient(clinic, clock() - timedelta(days=5))
        factories.infusion(patient, end=clock() - timedelta(days=1))
        factories.checkin(patient, taken_at=clock() - timedelta(hours=index + 1), mood=index)
        phq9(patient, taken_at=clock() - timedelta(hours=index + 1),
             answers=answers_totalling(index))

    many = counter.during(lambda: desk.get(URL))

    assert many == few
