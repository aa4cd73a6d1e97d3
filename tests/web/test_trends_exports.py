"""Trend pages, the JSON chart endpoints, exports, the audit log and the progress page."""

import csv
import io
import json
import re
from datetime import timedelta
from html import unescape as html_unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from fhir.resources.R4B.bundle import Bundle

from app.audit.models import AuditEvent
from tests import factories, trends_support
from tests.web.flag_support import count, main_of, page_of, rows, text_of

PATIENT_CHARTS = ("mood", "side-effects", "blood-pressure", "dissociation", "phq9", "adherence")
COHORT_CHARTS = PATIENT_CHARTS


@pytest.fixture
def data(snapshot):
    return trends_support.built(snapshot)


def patient_urls(patient_id: int) -> list[str]:
    return ([f"/clinic/patients/{patient_id}", f"/clinic/patients/{patient_id}/export.csv",
             f"/clinic/patients/{patient_id}/export.fhir.json"]
            + [f"/api/v1/patients/{patient_id}/charts/{n}" for n in PATIENT_CHARTS])


def test_every_chart_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for name in PATIENT_CHARTS:
        assert f"/api/v1/patients/{{patient_id}}/charts/{name}" in paths
    for name in COHORT_CHARTS:
        assert f"/api/v1/cohort/{name}" in paths


def test_patient_chart_endpoints_answer_json_and_are_audited(data, signed_in):
    client = signed_in(data.a)
    before = count(AuditEvent, AuditEvent.action == "patient.chart")
    mood = client.get(f"/api/v1/patients/{data.p1.id}/charts/mood")
    assert mood.status_code == 200
    assert mood.headers["Cache-Control"] == "no-store"
    chart = mood.get_json()
    assert [p["y"] for p in chart["datasets"][0]["data"]] == [4, 5, 6, 6, 8]
    assert [p["name"] for p in chart["datasets"][1]["data"]] == ["Infusion 1", "Infusion 2"]
    grid = client.get(f"/api/v1/patients/{data.p1.id}/charts/side-effects").get_json()
    assert grid["labels"] == ["1", "2"]
    assert grid["table"]["rows"] == [["Headache", "Moderate, gone by 24 h", "Mild, gone by 24 h"],
                                     ["Nausea", "Mild, gone by 6 h", "—"]]
    phq9 = client.get(f"/api/v1/patients/{data.p1.id}/charts/phq9").get_json()
    assert [row[2:] for row in phq9["table"]["rows"]] == [[20, "—", "baseline"],
                                                          [10, "-10", "response"]]
    adherence = client.get(f"/api/v1/patients/{data.p1.id}/charts/adherence").get_json()
    assert [row[2:4] for row in adherence["table"]["rows"]] == [[3, 1], [2, 1]]
    assert count(AuditEvent, AuditEvent.action == "patient.chart") == before + 4


def test_cohort_endpoints_and_page(data, signed_in):
    client = signed_in(data.a)
    # The hand-worked cohort has three patients: every figure is withheld (fewer than five;
    # the arithmetic is in tests/services/test_cohort_trends.py, shown figures in
    # tests/web/test_cohort_privacy.py).
    mood = client.get("/api/v1/cohort/mood").get_json()
    assert mood["labels"][:2] == ["2 h", "6 h"]
    assert mood["datasets"][0] == {"label": "Infusion 1",
                                   "data": [None, None, None, None, None]}
    assert mood["suppressed"] is True and mood["min_patients"] == 5
    by_b = client.get(f"/api/v1/cohort/adherence?clinician={data.b.id}").get_json()
    assert by_b["rows"] == [{"number": 1, "prompted": None, "answered": None, "rate": None,
                             "patients": None, "suppressed": True}]
    page = client.get("/clinic/cohort")
    assert page.status_code == 200
    html = page_of(page)
    assert "/assets/chart-" in html and "charts/charts.js" in html
    # Without dates the page shows, and its charts and export use, the last 90 days.
    assert ('data-chart-url="/api/v1/cohort/side-effects?start=2025-12-11&amp;end=2026-03-10"'
            in html)
    assert 'value="2025-12-11"' in html and 'value="2026-03-10"' in html
    assert ["Headache", "fewer than 5 patients", "fewer than 5 patients"] in rows(
        html.split('id="cohort-side-effects-table"')[1])
    assert "any figure from fewer than 5 patients is withheld" in " ".join(html.split())


@pytest.mark.parametrize("query, field", [
    ("start=2026-03-05&end=2026-03-01", "end"), ("start=yesterday", "start"),
    ("clinician=999999", "clinician"), ("series=other", "series"), ("clinician=abc", "clinician"),
    ("end=9999-12-31", "end"), ("start=0001-01-01", "start"),  # would overflow a datetime
])
def test_bad_cohort_filters_get_a_4xx(data, signed_in, query, field):
    client = signed_in(data.a)
    api = client.get(f"/api/v1/cohort/mood?{query}")
    assert api.status_code == 422
    assert field in api.get_json()["error"]["fields"]
    page = client.get(f"/clinic/cohort?{query}")
    assert page.status_code == 422
    assert f'id="{field}-error"' in page_of(page)
    assert client.get(f"/clinic/cohort/export.csv?{query}").status_code == 422


def test_a_clinician_of_another_clinic_is_an_unknown_filter(data, signed_in):
    other_staff = factories.staff(data.other_clinic)
    response = signed_in(data.a).get(f"/api/v1/cohort/mood?clinician={other_staff.id}")
    assert response.status_code == 422


def test_another_clinics_patient_is_404_everywhere(data, signed_in):
    client = signed_in(data.a)
    for url in patient_urls(data.p3.id):
        assert client.get(url).status_code == 404, url


def test_cohort_never_includes_another_clinic(data, signed_in):
    rows_ = list(csv.DictReader(io.StringIO(
        signed_in(data.a).get("/clinic/cohort/export.csv").get_data(as_text=True))))
    assert str(data.p3.id) not in {r["patient_id"] for r in rows_}
    other = signed_in(factories.staff(data.other_clinic)).get("/api/v1/cohort/mood").get_json()
    assert other["datasets"] == [{"label": "Infusion 1",
                                  "data": [None, None, None, None, None]}]
    assert [(r["number"], r["hours"], r["suppressed"]) for r in other["rows"]] == [(1, 2, True)]


def test_patients_cannot_reach_clinician_pages(data, signed_in):
    client = signed_in(data.p1.user)
    for url in patient_urls(data.p1.id) + ["/clinic/cohort", "/clinic/cohort/export.csv",
                                           "/clinic/audit", "/api/v1/cohort/mood"]:
        assert client.get(url).status_code == 403, url


def test_patient_csv_long_format_with_formula_guard(data, signed_in, clock):
    factories.checkin(data.p1, taken_at=trends_support.T0 + timedelta(days=4, hours=30),
                      mood=7, note="=HYPERLINK(\"http://evil\")")
    response = signed_in(data.a).get(f"/clinic/patients/{data.p1.id}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="aftercare-patient-{data.p1.id}.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    found = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    kinds = [r["kind"] for r in found]
    assert kinds.count("mood") == 6
    assert kinds.count("symptom") == 7  # 2 + 2 + 1 after infusion 1, 1 + 1 after 2
    assert kinds.count("phq9_item") == 18
    assert {r["patient_id"] for r in found} == {str(data.p1.id)}
    noted = [r for r in found if r["note"]]
    assert noted[0]["note"] == "'=HYPERLINK(\"http://evil\")"
    first = found[0]
    assert (first["item"], first["value"], first["infusion_number"],
            first["hours_since_infusion"]) == ("mood", "4", "1", "2.0")
    item9 = [r for r in found if r["kind"] == "phq9_item" and r["item"] == "9"]
    assert {r["loinc"] for r in item9} == {"44260-8"}
    assert count(AuditEvent, AuditEvent.action == "patient.export",
                 AuditEvent.patient_id == data.p1.id) == 1


def test_cohort_csv_follows_the_filters(data, signed_in):
    response = signed_in(data.a).get(f"/clinic/cohort/export.csv?clinician={data.b.id}")
    assert response.headers["Content-Disposition"].startswith("attachment")
    found = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["patient_id"] for r in found} == {str(data.p2.id)}
    assert [r["kind"] for r in found].count("mood") == 3
    assert [r["kind"] for r in found].count("phq9_item") == 18
    assert count(AuditEvent, AuditEvent.action == "cohort.export") == 1
    # Whose records left the system: one event per exported patient, and only them.
    assert count(AuditEvent, AuditEvent.action == "patient.export",
                 AuditEvent.patient_id == data.p2.id, AuditEvent.target == "cohort-csv") == 1
    assert count(AuditEvent, AuditEvent.action == "patient.export") == 1


def test_fhir_bundle_validates(data, signed_in):
    response = signed_in(data.a).get(f"/clinic/patients/{data.p1.id}/export.fhir.json")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    body = json.loads(response.get_data(as_text=True))
    bundle = Bundle.model_validate(body)
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds.count("Patient") == 1
    assert kinds.count("QuestionnaireResponse") == 5 + 2
    urls = {e.fullUrl for e in bundle.entry}
    everything = [e["resource"] for e in body["entry"]
                  if e["resource"]["resourceType"] == "Observation"]
    observations = [o for o in everything if "derivedFrom" in o]  # of the answers
    weights = [o for o in everything if "derivedFrom" not in o and "partOf" not in o]
    assert {o["code"]["coding"][0]["code"] for o in weights} == {"29463-7"}
    _assert_session_vitals(body, urls)
    assert all(ref["reference"] in urls for o in observations for ref in o["derivedFrom"])
    totals = [o for o in observations if o["code"]["coding"][0]["code"] == "44261-6"]
    assert sorted(o["valueInteger"] for o in totals) == [10, 20]
    assert all(o["category"][0]["coding"][0]["code"] == "survey" for o in observations)
    item9 = [o for o in observations if o["code"]["coding"][0]["code"] == "44260-8"]
    assert len(item9) == 2
    assert count(AuditEvent, AuditEvent.action == "patient.export",
                 AuditEvent.target == "fhir") == 1


def _assert_session_vitals(body: dict, urls: set) -> None:
    """Each reading of the session record as vital-sign Observations with LOINC codes and
    UCUM units, in the infusion's Encounter and part of its MedicationAdministration."""
    resources = [e["resource"] for e in body["entry"]]
    encounters = [r for r in resources if r["resourceType"] == "Encounter"]
    assert len(encounters) == 2  # p1's two infusions, each with a session record
    vitals = [r for r in resources if r["resourceType"] == "Observation" and "partOf" in r]
    codes = [o["code"]["coding"][0]["code"] for o in vitals]
    assert codes.count("85354-9") == 6 and codes.count("8867-4") == 6
    assert codes.count("59408-5") == 6
    assert all(o["category"][0]["coding"][0]["code"] == "vital-signs" for o in vitals)
    assert all(o["encounter"]["reference"] in urls and o["partOf"][0]["reference"] in urls
               for o in vitals)
    high = [o for o in vitals if o["code"]["coding"][0]["code"] == "85354-9"
            and o["component"][0]["valueQuantity"]["value"] == 184]
    [panel] = high
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"],
             c["valueQuantity"]["code"]) for c in panel["component"]] == [
        ("8480-6", 184, "mm[Hg]"), ("8462-4", 112, "mm[Hg]")]
    units = {o["code"]["coding"][0]["code"]: o["valueQuantity"]["code"] for o in vitals
             if "valueQuantity" in o}
    assert units == {"8867-4": "/min", "59408-5": "%"}
    administrations = [r for r in resources if r["resourceType"] == "MedicationAdministration"]
    assert {a["context"]["reference"] for a in administrations} == {
        e["fullUrl"] for e in body["entry"] if e["resource"]["resourceType"] == "Encounter"}


def test_patient_csv_has_the_session_record(data, signed_in):
    response = signed_in(data.a).get(f"/clinic/patients/{data.p1.id}/export.csv")
    found = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    vitals = [r for r in found if r["kind"] == "vital_sign"]
    assert len(vitals) == 6 * 4  # two infusions, three readings, four values each
    high = [r for r in vitals if r["detail"].endswith("alert")]
    assert [(r["infusion_number"], r["item"], r["loinc"], r["value"], r["detail"])
            for r in high] == [
        ("2", "systolic", "8480-6", "184", "mm[Hg]; 40min; alert"),
        ("2", "diastolic", "8462-4", "112", "mm[Hg]; 40min; alert"),
        ("2", "heart_rate", "8867-4", "76", "/min; 40min; alert"),
        ("2", "spo2", "59408-5", "97", "%; 40min; alert")]
    observed = [(r["infusion_number"], r["item"], r["value"]) for r in found
                if r["kind"] == "session_observation"]
    assert observed == [("1", "dissociation", "moderate"), ("1", "sedation", "mild"),
                        ("2", "dissociation", "mild"), ("2", "sedation", "mild")]
    assert [r["value"] for r in found if r["kind"] == "discharge"] == ["yes"] * 4


def test_patient_page_shows_trends_with_tables(data, signed_in):
    html = page_of(signed_in(data.a).get(f"/clinic/patients/{data.p1.id}"))
    for name in PATIENT_CHARTS:
        assert f'data-chart-url="/api/v1/patients/{data.p1.id}/charts/{name}"' in html
    assert 'id="chart-adherence-table"' in html
    assert "export.fhir.json" in html and "export.csv" in html


def test_chart_js_is_served_from_the_wheel_with_a_long_cache(data, signed_in):
    client = signed_in(data.a)
    html = page_of(client.get("/clinic/cohort"))
    url = html.split('<script src="/assets/chart-')[1].split('"')[0]
    response = client.get(f"/assets/chart-{url}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/assets/chart-000000000000.js").status_code == 404


def test_no_chart_library_on_patient_pages(data, signed_in):
    client = signed_in(data.p1.user)
    for url in ("/", "/progress"):
        assert "/assets/chart-" not in page_of(client.get(url))


def test_progress_page_in_plain_words(data, signed_in):
    response = signed_in(data.p1.user).get("/progress")
    assert response.status_code == 200
    text = text_of(main_of(page_of(response)))
    assert "up from 5 after infusion 1" in text  # mean 5 after 1, 7 after 2
    assert "After infusion 1: headache was gone by about 24 hours; nausea was gone by about " \
           "6 hours." in text
    assert "PHQ" not in text and "flag" not in text.lower()


def test_audit_log_for_admins_with_filters(data, signed_in):
    signed_in(data.a).get(f"/clinic/patients/{data.p1.id}")
    admin = signed_in(data.b)
    page = admin.get(f"/clinic/audit?action=patient.view&actor={data.a.id}")
    assert page.status_code == 200
    found = rows(page_of(page))
    assert len(found) == 1 and found[0][2] == "patient.view"
    assert admin.get("/clinic/audit?start=2026-03-10&end=2026-03-01").status_code == 422
    assert admin.get("/clinic/audit?page=0").status_code == 422
    assert admin.get("/clinic/audit?end=9999-12-31").status_code == 422
    assert signed_in(data.a).get("/clinic/audit").status_code == 403


def test_the_filter_form_with_blank_fields_means_no_filter(data, signed_in):
    client = signed_in(data.a)
    page = client.get("/clinic/cohort?start=&end=&clinician=&series=induction")
    assert page.status_code == 200
    html = page_of(page)
    # The chart endpoints are strict (a blank date is a 422 there), so the page passes on
    # only the filters in force.
    [url] = re.findall(r'data-chart-url="(/api/v1/cohort/mood[^"]*)"', html)
    query = parse_qs(urlsplit(html_unescape(url)).query, keep_blank_values=True)
    assert query == {"series": ["induction"], "start": ["2025-12-11"], "end": ["2026-03-10"]}
    assert client.get("/api/v1/cohort/mood?start=").status_code == 422
    assert client.get("/clinic/cohort/export.csv?start=&clinician=").status_code == 200
