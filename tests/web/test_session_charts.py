"""The session record in the trends (issue 18): the patient page charts blood pressure before,
at 40 minutes and before discharge and the dissociation observed at each infusion, beside mood
and side effects; the cohort page shows them by infusion number, small numbers withheld."""


import pytest

from tests import trends_support


@pytest.fixture
def data(snapshot):
    return trends_support.built(snapshot)


def _chart(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_json()


def test_patient_blood_pressure_per_infusion(data, signed_in):
    chart = _chart(signed_in(data.a), f"/api/v1/patients/{data.p1.id}/charts/blood-pressure")
    assert chart["labels"] == ["1", "2"]
    data_of = {d["label"]: d["data"] for d in chart["datasets"]}
    assert data_of["Systolic before"] == [130, 136]
    assert data_of["Systolic at 40 min"] == [150, 184]
    assert data_of["Diastolic before discharge"] == [80, 82]
    assert chart["table"]["rows"] == [["1", "130/84", "150/95", "128/80"],
                                      ["2", "136/86", "184/112 (alert)", "132/82"]]


def test_a_missing_phase_is_a_gap_and_said_missing(data, signed_in):
    chart = _chart(signed_in(data.b), f"/api/v1/patients/{data.p2.id}/charts/blood-pressure")
    assert {d["label"]: d["data"] for d in chart["datasets"]}["Systolic before discharge"] == [
        None]
    assert chart["table"]["rows"] == [["1", "120/78", "126/80", "missing"]]


def test_patient_dissociation_per_infusion(data, signed_in):
    chart = _chart(signed_in(data.a), f"/api/v1/patients/{data.p1.id}/charts/dissociation")
    assert chart["y"]["max"] == 3
    assert [d["data"] for d in chart["datasets"]] == [[2, 1], [1, 1]]
    assert chart["table"]["rows"] == [["1", "moderate", "mild"], ["2", "mild", "mild"]]


def test_patient_page_shows_them_beside_mood_and_side_effects(data, signed_in):
    html = signed_in(data.a).get(f"/clinic/patients/{data.p1.id}").get_data(as_text=True)
    positions = [html.index(f'id="chart-{name}') for name in (
        "mood", "side-effects", "blood-pressure", "dissociation")]
    assert positions == sorted(positions)
    assert "184/112 (alert)" in html


def test_cohort_by_infusion_number_withholds_small_numbers(data, signed_in):
    client = signed_in(data.a)
    pressure = _chart(client, "/api/v1/cohort/blood-pressure")
    assert pressure["suppressed"] is True  # two patients
    assert {r["number"] for r in pressure["rows"]} == {1, 2}
    assert all(r["mean_systolic"] is None for r in pressure["rows"])
    levels = _chart(client, "/api/v1/cohort/dissociation")
    assert [r["number"] for r in levels["rows"]] == [1, 2] and levels["suppressed"] is True
    html = client.get("/clinic/cohort").get_data(as_text=True)
    assert 'id="cohort-blood-pressure' in html and 'id="cohort-dissociation' in html


def test_cohort_means_when_enough_patients(data, signed_in, monkeypatch):
    from app.trends import cohort_charts

    monkeypatch.setattr(cohort_charts, "MIN_PATIENTS", 1)
    client = signed_in(data.a)
    pressure = _chart(client, "/api/v1/cohort/blood-pressure")
    before_1 = [r for r in pressure["rows"] if (r["number"], r["phase"]) == (1, "before")]
    assert before_1[0]["mean_systolic"] == 125.0 and before_1[0]["patients"] == 2
    levels = _chart(client, "/api/v1/cohort/dissociation")
    assert levels["rows"][0]["mean_dissociation"] == 1.0  # moderate (2) and none (0)
