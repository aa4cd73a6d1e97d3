"""Turns the no-JavaScript check-in form into the same payload the JSON API receives."""

import re
from datetime import datetime

from flask import request

from app.checkins import catalog

DIGITS = re.compile(r"[0-9]{1,4}")


def number(value: str | None):
    """Form values arrive as text; whole numbers become ints, anything else stays as sent
    (for the schema to refuse). ASCII digits only: "²".isdigit() is true but int() fails."""
    if value is None or value == "":
        return None
    return int(value) if DIGITS.fullmatch(value) else value


def payload_from_form(now: datetime) -> dict:
    form = request.form
    payload: dict = {
        "client_id": form.get("client_id", ""),
        "taken_at": now.isoformat(),
        "note": form.get("note", ""),
        "symptoms": [],
    }
    mood = number(form.get("mood"))
    if mood is not None:
        payload["mood"] = mood
    for symptom in catalog.SYMPTOMS:
        severity = number(form.get(f"symptom-{symptom.code}"))
        if severity is None:
            continue
        entry = {"code": symptom.code, "severity": severity}
        if symptom.code == catalog.OTHER:
            entry["detail"] = form.get("other-detail", "")
        payload["symptoms"].append(entry)
    if form.get("home_safely") in ("yes", "no"):
        payload["home_safely"] = form["home_safely"] == "yes"
    return payload


def form_errors(messages: dict, payload: dict) -> dict[str, str]:
    """Schema messages keyed by form field, so each error shows beside its own question."""
    from app.forms import first_errors

    flat = first_errors({k: v for k, v in messages.items() if k != "symptoms"})
    symptom_errors = messages.get("symptoms", {})
    if isinstance(symptom_errors, dict):
        for index, problem in symptom_errors.items():
            code = payload["symptoms"][index]["code"] if isinstance(index, int) else None
            field = "other-detail" if code == catalog.OTHER and "detail" in problem else (
                f"symptom-{code}" if code else "symptoms")
            flat[field] = first_errors({"x": problem})["x"]
    elif symptom_errors:
        flat["symptoms"] = first_errors({"x": symptom_errors})["x"]
    return flat
