"""A victim clinic full of data, and the routes of ``app.url_map`` turned into requests.

Used by the scoping walk (tests/web/test_route_walk.py) and the header walk
(tests/web/test_headers.py). Routes are read from the URL map at test time, so a route added
later is walked without anyone editing a list; an id in a URL is filled from ``VICTIM_IDS``
by the argument's name, and an argument name nobody has mapped fails the walk.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from app.auth.models import AuthSession, Role
from app.extensions import db
from app.flags.services import patient_flags
from app.infusions.models import TreatmentSeries
from app.passkeys.models import Passkey
from tests import factories
from tests.web.flag_support import answers_totalling, phq9

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
# Values for URL arguments that are not ids.
TEXT_ARGUMENTS = {"token": "x" * 43, "name": "icon-192", "filename": "pwa/app.css",
                  "language": "es"}


@dataclass
class Victim:
    """A clinic whose data nobody else may reach, and strings that must never leak."""

    clinic: object
    admin: object
    clinician: object
    patient: object
    ids: dict[str, int]
    secrets: list[str]


def build_victim(app: Flask, now) -> Victim:
    """A clinic with a patient who has an infusion (with a session record), a check-in with a
    note, a PHQ-9 with item 9 above 0 (and so an urgent flag), a device session, a push
    subscription, a passkey and a phone with consent to texts."""
    clinic = factories.clinic(name="Quillfeather Ketamine Center", phone="555-0199")
    admin = factories.staff(clinic, Role.ADMIN, email="admin.quill@victim.test")
    clinician = factories.staff(clinic, email="dr.ostrander@victim.test")
    clinician.name = "Dr Philippa Ostrander"
    patient = factories.patient(clinic, now - timedelta(days=3), by=clinician,
                                email="zebulon.q@victim.test")
    patient.display_name = "Zebulon Quartermaine"
    # Reached by text (issue 16): the number must not show anywhere else either.
    patient.phone, patient.sms_consent_at = "+12025550177", now - timedelta(days=3)
    patient.sms_consent_by_id = clinician.id
    db.session.commit()
    infusion = factories.infusion(patient, end=now - timedelta(days=2), by=clinician)
    factories.session_record(infusion, by=clinician, what="Panic about the lighthouse")
    checkin = factories.checkin(patient, taken_at=now - timedelta(days=1), mood=2,
                                symptoms={"headache": 3}, note="Nightmares about the lighthouse")
    response = phq9(patient, taken_at=now - timedelta(hours=2),
                    answers=answers_totalling(19, item9=2))
    [flag] = [f for f in patient_flags(patient.id) if f.rule == "safety"]
    factories.sign_in(app, patient.user)
    auth_session = db.session.scalar(select(AuthSession).where(
        AuthSession.user_id == patient.user_id))
    passkey = Passkey(user_id=patient.user_id, credential_id="victim-credential",
                      public_key=b"\x00", sign_count=0, name="Zebulon's phone", transports=[],
                      created_at=now)
    db.session.add(passkey)
    db.session.commit()
    series = db.session.scalar(select(TreatmentSeries).where(
        TreatmentSeries.patient_id == patient.id))
    ids = {"patient_id": patient.id, "infusion_id": infusion.id, "checkin_id": checkin.id,
           "flag_id": flag.id, "response_id": response.id, "session_id": auth_session.id,
           "series_id": series.id, "user_id": patient.user_id, "staff_id": clinician.id,
           "clinic_id": clinic.id, "passkey_id": passkey.id}
    secrets = ["Zebulon", "Quartermaine", "zebulon.q@victim.test", "lighthouse",
               "Ostrander", "dr.ostrander@victim.test", "admin.quill@victim.test",
               "Quillfeather", "555-0199", "2025550177"]
    return Victim(clinic, admin, clinician, patient, ids, secrets)


def walked_rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


def methods_of(rule: Rule) -> list[str]:
    return sorted(rule.methods - SKIPPED_METHODS)


def id_arguments(rule: Rule) -> list[str]:
    from werkzeug.routing import IntegerConverter

    return [name for name, converter in rule._converters.items()
            if isinstance(converter, IntegerConverter)]


def url_for_rule(rule: Rule, ids: dict[str, int]) -> str:
    """The rule's path with every id filled from ``ids`` (KeyError for an unmapped id)."""
    values = {}
    for name in rule.arguments:
        if name in id_arguments(rule):
            if name not in ids:
                raise KeyError(f"{rule.rule}: no victim id for <int:{name}>; add one to "
                               "tests/web/walk_support.py build_victim()")
            values[name] = ids[name]
        else:
            values[name] = TEXT_ARGUMENTS.get(name, "x")
    _, path = rule.build(values, append_unknown=False)
    return path


def send(client, method: str, url: str):
    """A request as a browser or the PWA would send it: a valid CSRF token, a small body."""
    if url.startswith("/api/"):
        return client.api(method, url, json={})
    if method == "GET":
        return client.get(url)
    # Only fields the flag actions accept, so a missing scope check would act, not fail on
    # validation (and the walk's database comparison would catch it).
    return client.open(url, method=method, data={
        "csrf_token": client.csrf or client.fetch_csrf(), "note": "walk"})
