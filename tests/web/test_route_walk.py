"""Scoping in one place, proved by walking EVERY route of the URL map.

Each rule of ``app.url_map`` is requested with each of its methods, its ids filled with the
real ids of another clinic's patient, infusion, check-in, flag, PHQ-9 response and device
session, as: a clinician and an admin of another clinic, another patient, and nobody. Every
request must answer without a server error, never show the victim's names, emails, notes or
clinic, and leave the database as it was.

Routes are classified by rule, not listed one by one, so routes added later are walked too:
- a route with an ``<int:...>`` id is a "victim-id" route: 403 or 404 for anyone signed in,
  the sign-in page (or a JSON 401) for nobody;
- a path under ``STAFF_PREFIXES`` (/clinic/..., /api/v1/cohort/..., /api/v1/clinic/...) is a
  staff page of the caller's own clinic: 403 for patients, the caller's own clinic for staff;
- the routes in ``HEALTH`` answer anyone, 200 or 503 (a stalled job), never with data;
- the routes in ``PUBLIC``, ``OWN_DATA`` and ``OWN_SESSION`` are named below with the reason
  they may answer 200.
A route that fits none of these fails ``test_every_route_is_classified``: decide what it is.
"""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.web.walk_support import (
    build_victim,
    id_arguments,
    methods_of,
    send,
    url_for_rule,
    walked_rules,
)

STAFF_PREFIXES = ("/clinic/", "/api/v1/cohort", "/api/v1/clinic/")

# Anyone may open these; none of them reads patient data.
PUBLIC = {
    "auth.login": "the sign-in form; a POST without credentials is refused",
    "auth.setup_link": "spends a setup token on a setup session in this browser's cookie; an "
                       "unknown or already opened token leads to 410",
    "auth.setup": "works only with a live setup session in the session cookie, else 410",
    "mfa.login_code": "the sign-in's second step: works only for a pending sign-in (the right "
                      "password a moment ago) in the session cookie, else back to /login",
    "passkeys.login_options": "a fresh challenge for a passkey sign-in (kept in the caller's "
                              "cookie); after a password, only that pending person's "
                              "credential ids",
    "passkeys.login": "signs in only with a passkey answer that verifies; else 401",
    "health.healthz": "says whether the database answers",
    "api.openapi": "the API description",
    "api.session_info": "a CSRF token and the caller's own role",
    "notifications_api.push_public_key": "the server's VAPID public key, the same for everyone",
    "pwa.manifest": "the web app manifest",
    "pwa.icon": "app icons",
    "pwa.icon_svg": "app icon",
    "pwa.service_worker": "the service worker script",
    "pwa.offline": "the offline page",
    "pwa.words": "the scripts' words in a language (the catalog's)",
    "static": "CSS and JS",
    "chart_assets.chart_js": "the Chart.js bundle from the installed chartkick package",
    "login_links.ask": "asks for a sign-in link; the answer is the same whether or not the "
                       "phone or email has an account",
    "login_links.open_link": "a sign-in link's page: GET shows a button, POST spends a valid "
                             "token; an unknown one is 410",
    "messaging.sms_status": "the SMS provider's status callback: 403 unless signed with the "
                            "provider's auth token (X-Twilio-Signature); changes a text's status",
    "messaging.sms_inbound": "texts to the clinic's number (STOP, START, HELP): 403 unless signed",
    "messaging.opened": "a text's or email's link: records the opening, leads to the check-in "
                        "(sign-in first); the same answer for an unknown token",
    "messaging.unsubscribe": "an email's unsubscribe: a page with a button; the POST stops emails "
                             "only for the message whose secret token is in the URL",
}
# Health checks for a load balancer or monitor: anyone may ask, and 503 is an answer (a job
# has stalled), not a server error. Job names and times only, no patient data.
HEALTH = {"health.healthz_jobs": "each scheduled job's last success; 503 when one stalled"}
# Take no id: they read or write only the caller's own records (own patient profile, own
# account and sessions, own push subscriptions).
OWN_DATA = {
    "checkins.home", "checkins.new", "checkins.create", "checkins.history",
    "checkins_api.api_create", "checkins_api.api_list",
    "phq9.new", "phq9.create", "phq9_api.api_create",
    "notifications_api.subscribe", "notifications_api.unsubscribe",
    "account.index", "account.revoke_others", "account.change_password",
    "account.change_language",
    "progress.show",
    # the caller's own second factor: set up, replace recovery codes, remove, give it again
    "mfa.totp_setup", "mfa.new_recovery_codes", "mfa.totp_remove", "mfa.verify",
    # the caller's own passkeys: add one, give one again (step-up)
    "passkeys.registration_options", "passkeys.add", "passkeys.step_up_options",
    "passkeys.step_up",
}
# End the caller's own session: sending them would sign the walker out. They take no id and
# touch nobody else (tests/web/test_auth.py covers them).
OWN_SESSION = {"auth.logout", "auth.logout_everywhere"}


def classify(rule) -> str | None:
    if id_arguments(rule):
        return "victim-id"
    if rule.endpoint in PUBLIC:
        return "public"
    if rule.endpoint in HEALTH:
        return "health"
    if rule.endpoint in OWN_SESSION:
        return "own-session"
    if rule.endpoint in OWN_DATA:
        return "own-data"
    if rule.rule.startswith(STAFF_PREFIXES):
        return "staff-area"
    return None


def test_every_route_is_classified(app):
    unclassified = [f"{rule.rule} ({rule.endpoint})" for rule in walked_rules(app)
                    if classify(rule) is None]
    assert unclassified == [], "classify these routes in tests/web/test_route_walk.py"


def test_the_walk_covers_the_routes_it_must(app):
    """Guards the walk itself: the id routes are really found and filled."""
    victim_id_routes = {rule.endpoint for rule in walked_rules(app)
                        if classify(rule) == "victim-id"}
    assert {"patients.show", "infusions.edit", "checkins.done", "flags.resolve", "phq9.done",
            "account.revoke", "patients.sign_out_everywhere", "infusions.delete",
            "patients.discharge", "clinics.deactivate", "passkeys.rename", "passkeys.remove",
            "clinics.reset_second_factor"} <= victim_id_routes
    # The confirmation pages of destructive actions (issue 15, point 6) are walked as GETs.
    confirm_pages = {rule.endpoint for rule in walked_rules(app) if "GET" in rule.methods}
    assert {"patients.sign_out_everywhere", "infusions.delete", "patients.discharge",
            "clinics.deactivate"} <= confirm_pages


# --- the walk ---------------------------------------------------------------------------------

def snapshot() -> dict[str, list]:
    """Every row of every table but the audit log (compared separately)."""
    db.session.expire_all()
    return {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables if table.name != AuditEvent.__tablename__}


def new_audit_events(after_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > after_id)))


def allowed(kind: str, actor: str, method: str, response) -> bool:
    status = response.status_code
    to_login = status == 302 and response.location.startswith("/login")
    if kind == "health":
        return status in (200, 503)
    if status >= 500:
        return False
    if actor == "anonymous":
        return kind == "public" or to_login or status == 401
    if kind == "victim-id":
        return status in (403, 404)
    if kind == "staff-area" and actor == "patient":
        return status == 403
    return True  # public, own-data, or a staff page of the caller's own clinic


@pytest.fixture
def attackers(app, clock, signed_in):
    from pathlib import Path

    from app.notifications.webpush import ensure_vapid_key

    ensure_vapid_key(Path(app.config["VAPID_PRIVATE_KEY_PATH"]))  # else the key route is 503
    clinic = factories.clinic(name="Another Clinic")
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock(), by=clinician)
    factories.checkin(patient, taken_at=clock(), note="my own note")
    return {"clinician": lambda: signed_in(clinician),
            "admin": lambda: signed_in(factories.staff(clinic, Role.ADMIN)),
            "patient": lambda: signed_in(patient.user),
            "anonymous": app.test_client}


@pytest.mark.parametrize("actor", ["clinician", "admin", "patient", "anonymous"])
def test_nobody_reaches_another_clinics_data_on_any_route(app, clock, attackers, actor):
    victim = build_victim(app, clock())
    client = attackers[actor]()
    before = snapshot()
    last_audit = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    problems, walked = [], 0

    for rule in walked_rules(app):
        kind = classify(rule)
        if kind == "own-session":
            continue
        url = url_for_rule(rule, victim.ids)
        for method in methods_of(rule):
            response = send(client, method, url)
            walked += 1
            shown = (response.get_data().decode("utf-8", "replace")
                     + response.headers.get("Location", ""))
            leaked = [s for s in victim.secrets if s.lower() in shown.lower()]
            if leaked or not allowed(kind, actor, method, response):
                problems.append(f"{method} {url} [{kind}] -> {response.status_code}"
                                + (f", shows {leaked}" if leaked else ""))

    assert walked > 40
    assert problems == []
    assert snapshot() == before
    audited = new_audit_events(last_audit or 0)
    assert [e for e in audited if e.patient_id == victim.patient.id
            or e.clinic_id == victim.clinic.id] == []
