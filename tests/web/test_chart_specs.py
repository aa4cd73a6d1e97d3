"""Charts that do not mislead (issue 15, point 5), in the JSON the page's Chart.js draws: date
time axes, whole-number ticks on axes that count, the response and remission lines as real
lines (drawn only when there is something to draw, so the legend never lists an empty one).
What Chart.js makes of it (tension 0, unclipped markers, dates on ticks) is checked in
tests/browser/test_patient_page_journeys.py."""


import pytest

from tests import trends_support


@pytest.fixture
def data(snapshot):
    return trends_support.built(snapshot)


def _chart(client, patient, name):
    response = client.get(f"/api/v1/patients/{patient.id}/charts/{name}")
    assert response.status_code == 200
    return response.get_json()


def _dataset(chart, label_start):
    [found] = [d for d in chart["datasets"] if d["label"].startswith(label_start)]
    return found


def test_time_charts_have_date_axes_and_whole_number_scores(data, signed_in):
    client = signed_in(data.a)
    mood, phq9 = _chart(client, data.p1, "mood"), _chart(client, data.p1, "phq9")

    assert mood["x"]["kind"] == phq9["x"]["kind"] == "time"
    assert mood["y"] == {"title": "Mood", "min": 0, "max": 10, "integer": True}
    assert phq9["y"]["integer"] is True and phq9["y"]["max"] == 27
    assert _chart(client, data.p1, "adherence")["y"]["integer"] is True


def test_the_response_and_remission_lines_are_drawn_across_the_series(data, signed_in):
    phq9 = _chart(signed_in(data.a), data.p1, "phq9")  # 20, then 10 a week later
    totals = _dataset(phq9, "PHQ-9 total")["data"]
    first, last = totals[0]["x"], totals[-1]["x"]

    response = _dataset(phq9, "Response line")
    remission = _dataset(phq9, "Remission line")

    assert response["threshold"] is True and remission["threshold"] is True
    assert response["data"] == [{"x": first, "y": 10}, {"x": last, "y": 10}]
    assert remission["data"] == [{"x": first, "y": 5}, {"x": last, "y": 5}]
    assert _dataset(phq9, "Response reached")["data"] == [{"x": last, "y": 10}]
    assert _dataset(phq9, "Remission reached")["data"] == []


def test_a_single_phq9_draws_no_line_the_legend_would_list(data, signed_in):
    phq9 = _chart(signed_in(data.a), data.p4, "phq9")  # one PHQ-9 (15)

    assert _dataset(phq9, "Response line")["data"] == []
    assert _dataset(phq9, "Remission line")["data"] == []
    assert len(_dataset(phq9, "PHQ-9 total")["data"]) == 1
