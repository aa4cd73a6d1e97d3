"""Charts that do not mislead, as Chart.js draws them in Chromium (issue 15, point 5): date
time axes, no smoothing, infusion markers not clipped, the response and remission lines drawn
when the legend lists them, whole numbers on axes that count."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.patients.models import Patient
from tests.browser.conftest import eventually, serious_axe_problems, sign_in
from tests.web.flag_support import answers_totalling, phq9

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _chart(page, canvas_id: str) -> dict:
    return page.evaluate("""id => {
        const chart = Chart.getChart(document.querySelector('#' + id + '-title')
            .closest('figure').querySelector('canvas'));
        const y = chart.scales.y;
        return {
          x: chart.scales.x.type,
          xTicks: chart.scales.x.ticks.map(t => chart.scales.x.getLabelForValue(t.value)),
          yTicks: y.ticks.map(t => t.value),
          tension: chart.data.datasets.map(d => d.tension),
          clip: chart.data.datasets.map(d => d.clip),
          legend: chart.legend.legendItems.map(i => i.text),
          drawn: chart.data.datasets.filter(d => d.data.length).map(d => d.label),
        };
    }""", canvas_id)


def test_patient_charts_show_dates_whole_numbers_and_the_lines_they_list(live, page, shots):
    now = datetime.now(UTC)
    with live.app.app_context():
        patient = db.session.get(Patient, live.app.people["patient_id"])
        phq9(patient, taken_at=now - timedelta(hours=4), answers=answers_totalling(20))
        phq9(patient, taken_at=now - timedelta(hours=1), answers=answers_totalling(9))
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live, "clinician")
    page.goto(f"{live.url}/clinic/patients/{live.app.people['patient_id']}")
    assert eventually(page, "document.querySelectorAll('figure.chart-drawn').length === "
                            "document.querySelectorAll('canvas[data-chart-url]').length")

    mood, phq = _chart(page, "chart-mood"), _chart(page, "chart-phq9")

    assert mood["x"] == phq["x"] == "time"
    for label in mood["xTicks"] + phq["xTicks"]:  # every tick says the day
        assert any(month in label for month in MONTHS), label
    assert set(mood["tension"]) == set(phq["tension"]) == {0}
    assert set(mood["clip"]) == {False}  # the infusion marker at mood 10 is not cut off
    assert all(float(v).is_integer() for v in mood["yTicks"] + phq["yTicks"])
    assert phq["legend"] == phq["drawn"]  # the legend lists only what is drawn
    assert "Response line (half the series baseline)" in phq["legend"]
    assert "Remission line (below 5)" in phq["legend"]
    assert serious_axe_problems(page) == []
    page.locator("#chart-phq9-title").scroll_into_view_if_needed()
    shots(page, "patient-charts")
