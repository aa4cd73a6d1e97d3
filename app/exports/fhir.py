"""A patient's record as a FHIR R4 Bundle (type ``collection``).

- Patient;
- a QuestionnaireResponse per check-in (mood, each side effect, "Did you get home safely?"
  as a boolean when it was answered, the note) and an Observation
  of its mood score ``derivedFrom`` it;
- a QuestionnaireResponse per PHQ-9 (questionnaire http://loinc.org/q/44249-1, items by their
  LOINC codes, answers by their LOINC answer codes) and Observations of the total (44261-6)
  and of each item, all ``derivedFrom`` it, category ``survey``;
- a MedicationAdministration per infusion given (ketamine, its dose as plain numbers: 35, not
  3.5E+1) and an Observation of the weight recorded with it (category ``vital-signs``);
- for an infusion with a session record, an Encounter and a vital-sign Observation per value
  of each reading (``app/exports/vitals.py``).

Entries are identified by ``urn:uuid:`` names derived from the database ids, so exporting the
same record twice gives the same identifiers.
"""

import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.checkins import catalog
from app.checkins.models import CheckIn
from app.clinics.settings import effective
from app.exports import vitals
from app.extensions import db
from app.flags.rules import Thresholds, is_safety_answer
from app.infusions import doses
from app.infusions.models import Infusion
from app.patients.models import Patient
from app.phq9 import instrument
from app.phq9.models import Phq9Response

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
BODY_WEIGHT_LOINC = "29463-7"
KETAMINE = {"coding": [{"system": RXNORM, "code": "6130", "display": "ketamine"}],
            "text": "Ketamine"}
VITAL_SIGNS = [{"coding": [{
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "vital-signs", "display": "Vital Signs"}]}]
LOCAL = "urn:aftercare:codes"
CHECKIN_QUESTIONNAIRE = "urn:aftercare:questionnaire:checkin"
PHQ9_QUESTIONNAIRE = f"{LOINC}/q/{instrument.PANEL_LOINC}"
SAFETY_INTERPRETATION = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                "code": "AA", "display": "Critical abnormal"}],
    "text": "Safety answer: crisis help was shown and an urgent flag raised"}
SURVEY = [{"coding": [{
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "survey", "display": "Survey"}]}]


def _urn(kind: str, ident: int) -> str:
    """Stable for a record and unique across installations: the namespace is this
    installation's address (``PUBLIC_BASE_URL``), so two clinics' patient 1 never collide."""
    installation = uuid.uuid5(uuid.NAMESPACE_URL, current_app.config["PUBLIC_BASE_URL"])
    return f"urn:uuid:{uuid.uuid5(installation, f'{kind}/{ident}')}"


def _time(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _entry(full_url: str, resource: dict) -> dict:
    return {"fullUrl": full_url, "resource": resource}


def _telecom(patient: Patient) -> list[dict]:
    """Only the contact points the patient has (FHIR forbids empty values and empty lists)."""
    points = []
    if patient.phone:
        points.append({"system": "phone", "value": patient.phone, "use": "mobile"})
    if patient.user.email:
        points.append({"system": "email", "value": patient.user.email})
    return points


def _patient(patient: Patient) -> dict:
    resource = {"resourceType": "Patient",
                "identifier": [{"system": "urn:aftercare:patient", "value": str(patient.id)}],
                "name": [{"text": patient.display_name}]}
    telecom = _telecom(patient)
    if telecom:
        resource["telecom"] = telecom
    return resource


def _observation(subject: str, source: str, taken_at: datetime, code: dict, value: dict) -> dict:
    return {"resourceType": "Observation", "status": "final", "category": SURVEY,
            "code": code, "subject": {"reference": subject},
            "effectiveDateTime": _time(taken_at), **value,
            "derivedFrom": [{"reference": source}]}


def _checkin_entries(checkin: CheckIn, subject: str) -> list[dict]:
    source = _urn("checkin", checkin.id)
    items = [{"linkId": "mood", "text": "Mood right now (0 worst imaginable, 10 best)",
              "answer": [{"valueInteger": checkin.mood}]}]
    for rating in checkin.symptoms:
        items.append({"linkId": f"symptom-{rating.code}",
                      "text": f"{catalog.label(rating.code)} (0 none to 4 very severe)",
                      "answer": [{"valueInteger": rating.severity}]})
        if rating.detail:
            items.append({"linkId": f"symptom-{rating.code}-detail",
                          "text": f"{catalog.label(rating.code)}: description",
                          "answer": [{"valueString": rating.detail}]})
    if checkin.home_safely is not None:
        items.append({"linkId": "home-safely", "text": "Did you get home safely?",
                      "answer": [{"valueBoolean": checkin.home_safely}]})
    if checkin.note:
        items.append({"linkId": "note", "text": "Note", "answer": [{"valueString": checkin.note}]})
    response = {"resourceType": "QuestionnaireResponse", "questionnaire": CHECKIN_QUESTIONNAIRE,
                "language": checkin.language, "status": "completed",
                "subject": {"reference": subject},
                "authored": _time(checkin.taken_at), "item": items}
    mood = _observation(subject, source, checkin.taken_at,
                        {"coding": [{"system": LOCAL, "code": "mood",
                                     "display": "Mood right now, 0 to 10"}],
                         "text": "Mood (0-10)"},
                        {"valueInteger": checkin.mood})
    return [_entry(source, response), _entry(_urn("checkin-mood", checkin.id), mood)]


def _item_value(item: instrument.Item, answer: instrument.Answer, coding: dict,
                limits: Thresholds) -> dict:
    """The item's answer; item 9 carries a critical interpretation when it is a safety answer
    by the clinic's threshold (``is_safety_answer``, as on the crisis page and the flag)."""
    value: dict = {"valueCodeableConcept": {"coding": [coding], "text": answer.text}}
    if item.number == instrument.SAFETY_ITEM and is_safety_answer(answer.score, limits):
        value["interpretation"] = [SAFETY_INTERPRETATION]
    return value


def _phq9_entries(phq9: Phq9Response, subject: str, limits: Thresholds) -> list[dict]:
    source = _urn("phq9", phq9.id)
    items = []
    entries = []
    for item, score in zip(instrument.ITEMS, phq9.answers, strict=True):
        answer = instrument.ANSWERS[score]
        coding = {"system": LOINC, "code": answer.loinc, "display": answer.text}
        items.append({"linkId": item.loinc, "text": item.text,
                      "answer": [{"valueCoding": coding}]})
        entries.append(_entry(_urn(f"phq9-item-{item.number}", phq9.id), _observation(
            subject, source, phq9.taken_at,
            {"coding": [{"system": LOINC, "code": item.loinc, "display": item.text}]},
            _item_value(item, answer, coding, limits))))
    response = {"resourceType": "QuestionnaireResponse", "questionnaire": PHQ9_QUESTIONNAIRE,
                "language": phq9.language, "status": "completed",
                "subject": {"reference": subject},
                "authored": _time(phq9.taken_at), "item": items}
    total = _observation(subject, source, phq9.taken_at,
                         {"coding": [{"system": LOINC, "code": instrument.TOTAL_LOINC,
                                      "display": "Patient Health Questionnaire 9 item "
                                                 "(PHQ-9) total score [Reported]"}]},
                         {"valueInteger": phq9.total})
    return [_entry(source, response), _entry(_urn("phq9-total", phq9.id), total), *entries]


def _quantity(value, unit: str) -> dict:
    return {"value": doses.json_number(value), "unit": unit, "system": UCUM, "code": unit}


def _infusion_entries(infusion: Infusion, subject: str) -> list[dict]:
    """An infusion that was given: what, when, how much, and the weight the dose was for."""
    entries = []
    dosage = {"text": doses.dose_text(infusion.dose_mg_per_kg, infusion.dose_mg) or "not recorded",
              "route": {"text": infusion.route}}
    if infusion.dose_mg is not None:
        dosage["dose"] = _quantity(infusion.dose_mg, "mg")
    elif infusion.dose_mg_per_kg is not None:
        dosage["dose"] = _quantity(infusion.dose_mg_per_kg, "mg/kg")
    period = {"start": _time(infusion.actual_start)}
    if infusion.actual_end is not None:
        period["end"] = _time(infusion.actual_end)
    administration = {"resourceType": "MedicationAdministration",
                      "status": "completed" if infusion.actual_end else "in-progress",
                      "medicationCodeableConcept": KETAMINE, "subject": {"reference": subject},
                      "effectivePeriod": period, "dosage": dosage}
    if infusion.weight_kg is not None:
        weight_url = _urn("infusion-weight", infusion.id)
        entries.append(_entry(weight_url, {
            "resourceType": "Observation", "status": "final", "category": VITAL_SIGNS,
            "code": {"coding": [{"system": LOINC, "code": BODY_WEIGHT_LOINC,
                                 "display": "Body weight"}], "text": "Body weight"},
            "subject": {"reference": subject},
            "effectiveDateTime": _time(infusion.actual_start),
            "valueQuantity": _quantity(infusion.weight_kg, "kg")}))
        administration["supportingInformation"] = [{"reference": weight_url}]
    entries += _session_entries(infusion, subject, administration)
    return [_entry(_urn("infusion", infusion.id), administration), *entries]


def _session_entries(infusion: Infusion, subject: str, administration: dict) -> list[dict]:
    """The infusion's Encounter (the administration's ``context``) and its vital-sign
    readings, when the clinic recorded any."""
    readings = vitals.infusion_readings(infusion.id)
    if not readings:
        return []
    refs = {"subject": subject, "encounter": _urn("infusion-encounter", infusion.id),
            "administration": _urn("infusion", infusion.id)}
    administration["context"] = {"reference": refs["encounter"]}
    entries = [_entry(refs["encounter"], vitals.encounter(infusion, subject))]
    for reading in readings:
        entries += [_entry(_urn(f"reading-{kind}", reading.id), resource) for kind, resource
                    in vitals.reading_observations(reading, refs, VITAL_SIGNS)]
    return entries


def patient_bundle(patient: Patient, *, now: datetime) -> dict:
    subject = _urn("patient", patient.id)
    limits = Thresholds.from_settings(effective(patient.clinic))
    entries = [_entry(subject, _patient(patient))]
    checkins = db.session.scalars(
        select(CheckIn).options(selectinload(CheckIn.symptoms))
        .where(CheckIn.patient_id == patient.id).order_by(CheckIn.taken_at, CheckIn.id))
    for checkin in checkins:
        entries += _checkin_entries(checkin, subject)
    for phq9 in db.session.scalars(select(Phq9Response).where(
            Phq9Response.patient_id == patient.id).order_by(Phq9Response.taken_at,
                                                            Phq9Response.id)):
        entries += _phq9_entries(phq9, subject, limits)
    for infusion in db.session.scalars(select(Infusion).where(
            Infusion.patient_id == patient.id, Infusion.actual_start.is_not(None))
            .order_by(Infusion.actual_start, Infusion.id)):
        entries += _infusion_entries(infusion, subject)
    return {"resourceType": "Bundle", "type": "collection", "timestamp": _time(now),
            "entry": entries}
