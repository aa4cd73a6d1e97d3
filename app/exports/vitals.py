"""The session record in the exports (issue 18).

CSV: a ``vital_sign`` row per value of a reading (item systolic, diastolic, heart_rate, spo2,
its LOINC code, ``detail`` the unit and the phase, and "alert" when the reading was over the
clinic's thresholds), a ``session_observation`` row per dissociation and sedation level, an
``adverse_event`` row (value what happened, note what was done) and ``discharge`` rows
(stable, driver_present: yes or no).

FHIR: an Encounter per infusion with readings; each reading a vital-signs Observation with its
LOINC code (the blood pressure panel 85354-9 with systolic 8480-6 and diastolic 8462-4
components, heart rate 8867-4, oxygen saturation 59408-5) and UCUM unit, with ``encounter``
the infusion's Encounter and ``partOf`` its MedicationAdministration.
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.infusions.models import Infusion, TreatmentSeries
from app.monitoring.models import AdverseEvent, Discharge, SessionObservation, VitalReading

ITEMS = (("systolic", "8480-6", "mm[Hg]"), ("diastolic", "8462-4", "mm[Hg]"),
         ("heart_rate", "8867-4", "/min"), ("spo2", "59408-5", "%"))
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
DISPLAY = {"85354-9": "Blood pressure panel with all children optional",
           "8480-6": "Systolic blood pressure", "8462-4": "Diastolic blood pressure",
           "8867-4": "Heart rate",
           "59408-5": "Oxygen saturation in Arterial blood by Pulse oximetry"}


def _utc(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _query(model, time_column, where, scope):
    query = (select(model, Infusion.patient_id, Infusion.series_id, TreatmentSeries.kind,
                    Infusion.number)
             .join(Infusion, Infusion.id == model.infusion_id)
             .join(TreatmentSeries, TreatmentSeries.id == Infusion.series_id))
    if scope is not None:
        query = query.join(scope, scope.c.id == Infusion.id)
    return db.session.execute(query.where(*where).order_by(
        Infusion.patient_id, time_column, model.id).execution_options(yield_per=2000))


def _row(r, kind: str, at: datetime, item: str, value, detail: str = "", loinc: str = "",
         note: str = "") -> dict:
    return {"kind": kind, "patient_id": r.patient_id, "series_id": r.series_id,
            "series_kind": r.kind.value, "infusion_number": r.number,
            "record_id": r[0].id, "taken_at_utc": _utc(at), "hours_since_infusion": "",
            "item": item, "loinc": loinc, "value": value, "detail": detail, "note": note}


def session_rows(where, scope=None) -> Iterator[dict]:
    for r in _query(VitalReading, VitalReading.taken_at, where, scope):
        reading = r[0]
        for item, loinc, unit in ITEMS:
            if getattr(reading, item) is not None:
                detail = f"{unit}; {reading.phase}" + ("; alert" if reading.alert else "")
                yield _row(r, "vital_sign", reading.taken_at, item, getattr(reading, item),
                           detail, loinc)
    for r in _query(SessionObservation, SessionObservation.observed_at, where, scope):
        for item in ("dissociation", "sedation"):
            yield _row(r, "session_observation", r[0].observed_at, item, getattr(r[0], item))
    for r in _query(AdverseEvent, AdverseEvent.occurred_at, where, scope):
        yield _row(r, "adverse_event", r[0].occurred_at, "adverse_event", r[0].what,
                   note=r[0].action_taken)
    for r in _query(Discharge, Discharge.discharged_at, where, scope):
        for item in ("stable", "driver_present"):
            yield _row(r, "discharge", r[0].discharged_at, item,
                       "yes" if getattr(r[0], item) else "no")


def _code(loinc: str) -> dict:
    return {"coding": [{"system": LOINC, "code": loinc, "display": DISPLAY[loinc]}],
            "text": DISPLAY[loinc]}


def _quantity(value: int, unit: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def reading_observations(reading: VitalReading, refs: dict, category: list) -> list[dict]:
    """The reading's Observations: a blood pressure panel, heart rate, oxygen saturation.
    ``refs``: subject, encounter and administration references."""
    common = {"resourceType": "Observation", "status": "final", "category": category,
              "subject": {"reference": refs["subject"]},
              "encounter": {"reference": refs["encounter"]},
              "partOf": [{"reference": refs["administration"]}],
              "effectiveDateTime": _utc(reading.taken_at)}
    found = []
    if reading.systolic is not None:
        found.append(("bp", {**common, "code": _code("85354-9"), "component": [
            {"code": _code(loinc), "valueQuantity": _quantity(getattr(reading, item), unit)}
            for item, loinc, unit in ITEMS[:2]]}))
    for item, loinc, unit in ITEMS[2:]:
        if getattr(reading, item) is not None:
            found.append((item, {**common, "code": _code(loinc),
                                 "valueQuantity": _quantity(getattr(reading, item), unit)}))
    return found


def infusion_readings(infusion_id: int) -> list[VitalReading]:
    return list(db.session.scalars(select(VitalReading).where(
        VitalReading.infusion_id == infusion_id).order_by(VitalReading.taken_at,
                                                          VitalReading.id)))


def encounter(infusion: Infusion, subject: str) -> dict:
    period = {"start": _utc(infusion.actual_start)}
    if infusion.actual_end is not None:
        period["end"] = _utc(infusion.actual_end)
    return {"resourceType": "Encounter",
            "status": "finished" if infusion.actual_end else "in-progress",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                      "code": "AMB", "display": "ambulatory"},
            "type": [{"text": f"Ketamine infusion {infusion.number}"}],
            "subject": {"reference": subject}, "period": period}
