"""Doses on the infusion form, the patient page and the exports: plain decimals, the weight,
mg agreeing with mg/kg x weight, and an unusual dose confirmed with who and when."""

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.infusions import services
from app.infusions.models import Infusion
from tests import factories

START = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(timezone="America/New_York"), clock())


@pytest.fixture
def clinician(patient):
    return db.session.get(User, patient.created_by_id)


@pytest.fixture
def client(clinician, signed_in):
    return signed_in(clinician)


def _form(**overrides) -> dict:
    return {"planned_start": "2026-03-10T09:00", "actual_start": "2026-03-10T09:05",
            "actual_end": "2026-03-10T09:50", "dose_mg_per_kg": "0.5", "dose_mg": "35",
            "weight_kg": "70", "route": "IV", "notes": "", **overrides}


def _new_url(patient) -> str:
    return f"/clinic/patients/{patient.id}/infusions/new"


def _infusions() -> list[Infusion]:
    db.session.expire_all()
    return list(db.session.scalars(select(Infusion).order_by(Infusion.id)))


def _given(patient, clinician, clock, **dose) -> Infusion:
    made = services.record(patient, {"planned_start": START, "actual_start": START,
                                     "actual_end": START.replace(minute=40), **dose},
                           by=clinician, now=clock())
    db.session.commit()
    return made


def _confirmations() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "infusion.dose_confirm").order_by(AuditEvent.id)))


def test_recorded_dose_shows_as_plain_decimals(client, patient):
    response = client.form(_new_url(patient), _form(dose_mg_per_kg="1.4", dose_mg="400",
                                                    weight_kg="285.7"))
    assert response.status_code == 303
    [stored] = _infusions()
    assert (stored.dose_mg, stored.weight_kg) == (Decimal("400"), Decimal("285.7"))
    page = client.get(f"/clinic/patients/{patient.id}").get_data(as_text=True)
    assert "1.4 mg/kg, 400 mg" in page
    assert "285.7 kg" in page
    assert "E+" not in page


def test_edit_form_prefills_plain_decimals(client, patient, clinician, clock):
    infusion = _given(patient, clinician, clock, dose_mg_per_kg=Decimal("0.500"),
                      dose_mg=Decimal("40.0"), weight_kg=Decimal("80.0"))

    html = client.get(f"/clinic/infusions/{infusion.id}/edit").get_data(as_text=True)

    assert 'name="dose_mg" step="0.1" min="0" inputmode="decimal" value="40"' in html
    assert 'name="dose_mg_per_kg" step="0.001" min="0" inputmode="decimal" value="0.5"' in html
    assert 'name="weight_kg" step="0.1" min="0" inputmode="decimal" value="80"' in html
    assert "E+" not in html
    page = client.get(f"/clinic/patients/{patient.id}").get_data(as_text=True)
    assert "0.5 mg/kg, 40 mg" in page and "E+" not in page


def test_editing_to_40_mg_shows_40(client, patient, clinician, clock):
    infusion = _given(patient, clinician, clock, dose_mg_per_kg=Decimal("0.5"),
                      dose_mg=Decimal("35"), weight_kg=Decimal("70"))

    response = client.form(f"/clinic/infusions/{infusion.id}/edit",
                           _form(dose_mg_per_kg="0.5", dose_mg="40", weight_kg="80"))

    assert response.status_code == 303
    html = client.get(f"/clinic/infusions/{infusion.id}/edit").get_data(as_text=True)
    assert 'value="40"' in html and "4E+1" not in html
    assert "0.5 mg/kg, 40 mg" in client.get(f"/clinic/patients/{patient.id}").get_data(
        as_text=True)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    pytest.param({"dose_mg": "400"}, "dose_mg",
                 "400 mg does not match 0.5 mg/kg for 70 kg, which is 35 mg.", id="0.5-and-400"),
    pytest.param({"weight_kg": ""}, "weight_kg", "it is needed with a dose", id="no-weight"),
    pytest.param({"weight_kg": "7"}, "weight_kg", "between 25 and 300", id="weight-7-kg"),
])
def test_an_implausible_dose_is_refused_on_its_field(client, patient, overrides, field,
                                                     message):
    response = client.form(_new_url(patient), _form(**overrides))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert f'aria-describedby="{field}-error"' in html
    assert _infusions() == []


def test_an_unusual_dose_needs_a_confirmation_kept_with_who(client, patient, clinician, clock):
    unusual = _form(dose_mg_per_kg="2", dose_mg="140")

    refused = client.form(_new_url(patient), unusual)

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "2 mg/kg is outside the usual range of 0.1 to 1.5 mg/kg" in html
    assert 'type="checkbox" id="confirm_dose" name="confirm_dose"' in html
    assert 'value="140"' in html  # what was typed stays in the form
    assert _infusions() == [] and _confirmations() == []

    accepted = client.form(_new_url(patient), {**unusual, "confirm_dose": "yes"})

    assert accepted.status_code == 303
    [stored] = _infusions()
    assert (stored.dose_mg_per_kg, stored.dose_mg) == (Decimal("2"), Decimal("140"))
    assert (stored.dose_confirmed_by_id, stored.dose_confirmed_at) == (clinician.id, clock())
    [event] = _confirmations()
    assert (event.actor_id, event.patient_id, event.target, event.at) == (
        clinician.id, patient.id, f"infusion:{stored.id}", clock())
    page = client.get(f"/clinic/patients/{patient.id}").get_data(as_text=True)
    assert "unusual dose, confirmed" in page


def test_a_usual_dose_keeps_no_confirmation(client, patient):
    assert client.form(_new_url(patient), {**_form(), "confirm_dose": "yes"}).status_code == 303
    [stored] = _infusions()
    assert (stored.dose_confirmed_by_id, stored.dose_confirmed_at) == (None, None)
    assert _confirmations() == []


def test_editing_an_unusual_dose(client, patient, clinician, clock):
    infusion = _given(patient, clinician, clock, dose_mg_per_kg=Decimal("0.5"),
                      dose_mg=Decimal("35"), weight_kg=Decimal("70"), notes="original")
    url = f"/clinic/infusions/{infusion.id}/edit"

    # Unconfirmed: refused, nothing changes.
    refused = client.form(url, _form(dose_mg_per_kg="1.6", dose_mg="112", notes="changed"))
    assert refused.status_code == 422
    assert "1.6 mg/kg is outside the usual range" in refused.get_data(as_text=True)
    [stored] = _infusions()
    assert (stored.dose_mg_per_kg, stored.notes, stored.dose_confirmed_at) == (
        Decimal("0.5"), "original", None)

    # Confirmed: kept with who and when.
    assert client.form(url, _form(dose_mg_per_kg="1.6", dose_mg="112",
                                  confirm_dose="yes")).status_code == 303
    [stored] = _infusions()
    assert (stored.dose_mg_per_kg, stored.dose_confirmed_by_id) == (Decimal("1.6"), clinician.id)
    html = client.get(url).get_data(as_text=True)
    assert 'id="dose-confirmed"' in html and clinician.name in html

    # The same dose edited again (its notes) needs no second confirmation...
    assert client.form(url, _form(dose_mg_per_kg="1.6", dose_mg="112",
                                  notes="observed")).status_code == 303
    # ...a different unusual dose does...
    assert client.form(url, _form(dose_mg_per_kg="1.7", dose_mg="119")).status_code == 422
    # ...and a dose back in the usual range drops the confirmation.
    assert client.form(url, _form()).status_code == 303
    [stored] = _infusions()
    assert (stored.dose_mg_per_kg, stored.dose_confirmed_by_id, stored.dose_confirmed_at) == (
        Decimal("0.5"), None, None)
    assert len(_confirmations()) == 1


def test_csv_and_fhir_show_plain_decimals(client, patient, clinician, clock):
    _given(patient, clinician, clock, dose_mg_per_kg=Decimal("0.500"), dose_mg=Decimal("40.0"),
           weight_kg=Decimal("80.0"))

    body = client.get(f"/clinic/patients/{patient.id}/export.csv").get_data(as_text=True)
    rows = [r for r in csv.DictReader(io.StringIO(body)) if r["kind"] == "infusion"]
    assert [(r["item"], r["value"], r["detail"]) for r in rows] == [
        ("dose_mg_per_kg", "0.5", "mg/kg"), ("dose_mg", "40", "mg"), ("weight_kg", "80", "kg")]
    assert {r["infusion_number"] for r in rows} == {"1"}
    assert "E+" not in body

    text = client.get(f"/clinic/patients/{patient.id}/export.fhir.json").get_data(as_text=True)
    assert "E+" not in text
    bundle = json.loads(text)
    Bundle.model_validate(bundle)
    by_type = {e["resource"]["resourceType"]: e for e in bundle["entry"]}
    given = by_type["MedicationAdministration"]["resource"]
    assert given["dosage"]["text"] == "0.5 mg/kg, 40 mg"
    assert given["dosage"]["dose"] == {"value": 40, "unit": "mg",
                                       "system": "http://unitsofmeasure.org", "code": "mg"}
    assert '"value": 40,' in text
    weight = next(e for e in bundle["entry"] if e["fullUrl"] ==
                  given["supportingInformation"][0]["reference"])["resource"]
    assert weight["code"]["coding"][0]["code"] == "29463-7"
    assert weight["valueQuantity"]["value"] == 80
