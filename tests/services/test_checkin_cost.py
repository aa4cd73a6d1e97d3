"""A check-in costs the same SQL whatever the length of the series (issue 14, point 1): the
submission rules read the baseline and the new record, not the history (app/flags/scope.py).
Counted in statements, not seconds: speed goals live in ``make bench`` only."""

import uuid
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from app.extensions import db
from app.flags import rules
from tests import factories

# What this worrying check-in (mood 2, severe nausea: two flags open) sends, counted from the
# client's first request: 25 before issue 14's statement cuts, 21 now (PostgreSQL: 4 more, a
# SAVEPOINT and RELEASE around each flag opened, app/flags/findings._open). A plain check-in
# sends 8 (12 before; bench/checkin_cost.py and `make bench` time one): the device session
# with its user, the patient with the clinic, the infusion it follows, the INSERT of the
# check-in (ON CONFLICT DO NOTHING RETURNING: a repeat is found by it, no look-up first), one
# INSERT of its ratings RETURNING them (the answer reads nothing back), the prompts it may
# answer, the current series with its infusions (one statement), and the series' baseline and
# new check-in with their ratings joined. This one also answers a prompt, opens and audits its
# flags and says so.
CHECKIN_STATEMENTS = {"sqlite": 21, "postgresql": 25}


@contextmanager
def _statements():
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _checkin_statements(clock, signed_in, clinic, history: int) -> int:
    patient = factories.patient(clinic, clock() - timedelta(days=2))
    infusion = factories.infusion(patient, end=clock() - timedelta(hours=30))
    factories.bulk_checkins(patient, infusion, history)
    client = signed_in(patient.user)
    body = {"client_id": str(uuid.uuid4()), "taken_at": clock().isoformat(), "mood": 2,
            "symptoms": [{"code": "nausea", "severity": 4}], "note": ""}
    with _statements() as seen:
        response = client.api("POST", "/api/v1/checkins", json=body)
    assert response.status_code == 201, response.get_json()
    return len(seen)


def test_a_checkin_costs_the_same_statements_for_5_and_500_in_the_series(app, clock,
                                                                        signed_in,
                                                                        monkeypatch):
    judged: list[rules.Facts] = []
    at_submission = rules.at_submission
    monkeypatch.setattr(rules, "at_submission",
                        lambda facts, limits: judged.append(facts) or at_submission(facts,
                                                                                    limits))
    clinic = factories.clinic()
    short = _checkin_statements(clock, signed_in, clinic, 5)
    long = _checkin_statements(clock, signed_in, clinic, 500)
    assert long == short == CHECKIN_STATEMENTS[db.engine.dialect.name]
    # The same statements read no more rows: the rules saw the baseline and the new check-in.
    assert [len(facts.checkins) for facts in judged] == [2, 2]
