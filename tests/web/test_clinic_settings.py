"""The clinic's check-in settings page: admins only, validated, audited, used from then on."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.clinics.settings import DEFAULTS, effective
from app.extensions import db
from app.notifications.models import Notification, NotificationKind
from app.prompts.models import Prompt
from tests import factories

URL = "/clinic/settings"
# The check-in settings as the form shows them by default.
VALID = {"checkin_ladder_hours": "2, 6, 24, 48, 72", "quiet_hours_start": "21:30",
         "quiet_hours_end": "08:00", "reminder_delay_hours": "2", "answer_window_hours": "24",
         "readiness_time": "18:00"}
_INPUT = re.compile(r"<input\b[^>]*>")


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def admin(clinic):
    return factories.staff(clinic, role=Role.ADMIN)


@pytest.fixture
def user_client(admin, signed_in):
    return signed_in(admin)


def _inputs(page: str) -> dict[str, str]:
    """name -> value of every text-like input on the page (the form as the user_client sends it)."""
    found = {}
    for tag in _INPUT.findall(page):
        name, value = re.search(r'\bname="([^"]*)"', tag), re.search(r'\bvalue="([^"]*)"', tag)
        if name and name.group(1) != "csrf_token":
            found[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return found


def _save(user_client, **changes):
    """Post the settings form as shown, with ``changes`` typed in."""
    form = _inputs(user_client.get(URL).get_data(as_text=True))
    assert set(VALID) <= set(form), "the form lost a check-in setting"
    return user_client.form(URL, {**form, **changes})


def _input_value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*\bvalue="([^"]*)"', page)
    assert match, f"no input named {name}"
    return html.unescape(match.group(1))


def _field_error(page: str, name: str) -> str | None:
    match = re.search(rf'<p class="error" id="{name}-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else None


def _settings(clinic) -> dict:
    db.session.expire_all()
    return effective(clinic)


def _events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "clinic.settings").order_by(AuditEvent.id)))


# --- who may open it ------------------------------------------------------------------------

def test_admin_sees_the_defaults(user_client):
    response = user_client.get(URL)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _input_value(page, "checkin_ladder_hours") == "2, 6, 24, 48, 72"
    assert _input_value(page, "quiet_hours_start") == "21:30"
    assert _input_value(page, "quiet_hours_end") == "08:00"
    assert _input_value(page, "reminder_delay_hours") == "2"
    assert _input_value(page, "answer_window_hours") == "24"
    assert _input_value(page, "readiness_time") == "18:00"
    assert "No changes yet" in page


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_only_admins_may_open_or_change_it(app, clock, clinic, signed_in, role):
    user = (factories.staff(clinic, role=Role.CLINICIAN) if role == "clinician"
            else factories.patient(clinic, clock()).user)
    user_client = signed_in(user)

    shown = user_client.get(URL)
    changed = user_client.form(URL, {**VALID, "reminder_delay_hours": "5"})

    assert (shown.status_code, changed.status_code) == (403, 403)
    assert _settings(clinic) == DEFAULTS
    assert _events() == []


def test_not_signed_in_goes_to_the_sign_in_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- saving ---------------------------------------------------------------------------------

def test_saving_changes_stores_them_and_audits_each_one(clock, user_client, clinic, admin):
    response = _save(user_client, checkin_ladder_hours="12, 3", quiet_hours_start="22:00",
                     reminder_delay_hours="1")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(URL)
    assert _settings(clinic) == {**DEFAULTS, "checkin_ladder_hours": [3, 12],
                                 "quiet_hours_start": "22:00", "reminder_delay_hours": 1}
    events = {e.target: e for e in _events()}
    assert len(_events()) == 3  # one per changed setting, none for the unchanged ones
    assert {name: (e.detail["old"], e.detail["new"]) for name, e in events.items()} == {
        "checkin_ladder_hours": ([2, 6, 24, 48, 72], [3, 12]),
        "quiet_hours_start": ("21:30", "22:00"),
        "reminder_delay_hours": (2, 1),
    }
    assert {(e.actor_id, e.clinic_id, e.at) for e in events.values()} == {
        (admin.id, clinic.id, clock())}


def test_saving_the_same_values_records_nothing(user_client, clinic):
    response = _save(user_client)

    assert response.status_code == 303
    assert _events() == []
    assert _settings(clinic) == DEFAULTS


def test_the_page_shows_the_saved_values_and_the_change_history(user_client, admin):
    _save(user_client, answer_window_hours="36")

    page = user_client.get(URL).get_data(as_text=True)

    assert _input_value(page, "answer_window_hours") == "36"
    assert "No changes yet" not in page
    row = re.search(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert row, "no history row"
    assert row.groups() == (admin.name, "Longest answer window, hours changed from 24 to 36")
    assert "answer_window_hours" not in page.split('id="changes-heading"')[1]


def test_an_admin_only_changes_their_own_clinic(clock, user_client, clinic):
    other = factories.clinic()

    _save(user_client, reminder_delay_hours="4")

    assert _settings(clinic)["reminder_delay_hours"] == 4
    assert _settings(other) == DEFAULTS
    assert {e.clinic_id for e in _events()} == {clinic.id}


def test_new_settings_shape_prompts_for_infusions_recorded_afterwards(clock, user_client, clinic):
    _save(user_client, checkin_ladder_hours="3, 12", answer_window_hours="4",
          reminder_delay_hours="1")
    patient = factories.patient(clinic, clock())
    # Ends 11:00 in New York: +3 h = 14:00 and +12 h = 23:00 -> 08:00 next day (quiet hours).
    end = clock()

    infusion = factories.infusion(patient, end=end)

    prompts = {p.slot: p for p in db.session.scalars(
        select(Prompt).where(Prompt.infusion_id == infusion.id))}
    assert set(prompts) == {"3h", "12h"}
    three = prompts["3h"]
    assert three.due_at == end + timedelta(hours=3)
    assert three.window_ends_at == three.due_at + timedelta(hours=4)  # answer window, not 12 h
    factories.send_due(three.due_at)  # the reminder is timed from when the prompt was sent
    reminder = db.session.scalars(select(Notification).where(
        Notification.prompt_id == three.id, Notification.kind == NotificationKind.REMINDER)).one()
    assert reminder.due_at == three.due_at + timedelta(hours=1)


def test_infusions_recorded_before_the_change_keep_their_prompts(clock, user_client, clinic):
    patient = factories.patient(clinic, clock())
    infusion = factories.infusion(patient, end=clock())

    _save(user_client, checkin_ladder_hours="3, 12")

    slots = set(db.session.scalars(select(Prompt.slot).where(Prompt.infusion_id == infusion.id)))
    assert slots == {"2h", "6h", "24h", "48h", "72h"}


# --- bad input ------------------------------------------------------------------------------

BAD_INPUT = {
    "negative hour": ("checkin_ladder_hours", "-2, 6"),
    "not numbers": ("checkin_ladder_hours", "abc"),
    "empty ladder": ("checkin_ladder_hours", ""),
    "a repeated hour": ("checkin_ladder_hours", "2, 2"),
    "an hour over a week": ("checkin_ladder_hours", "2, 169"),
    "hour zero": ("checkin_ladder_hours", "0, 6"),
    "a fraction of an hour": ("checkin_ladder_hours", "1.5, 6"),
    "a superscript digit": ("checkin_ladder_hours", "2, 6\u00b2"),
    "more than ten steps": ("checkin_ladder_hours", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11"),
    "answer window 0": ("answer_window_hours", "0"),
    "answer window over a week": ("answer_window_hours", "169"),
    "answer window not a number": ("answer_window_hours", "a day"),
    "reminder delay 0": ("reminder_delay_hours", "0"),
    "reminder delay over a day": ("reminder_delay_hours", "25"),
    "quiet hours of zero length": ("quiet_hours_end", "21:30"),
    "hour 25": ("quiet_hours_start", "25:00"),
    "am/pm time": ("quiet_hours_end", "8am"),
    "time without leading zero": ("readiness_time", "8:00"),
    "readiness minute 60": ("readiness_time", "18:60"),
}


@pytest.mark.parametrize("field, value", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_422_shown_beside_the_field_and_changes_nothing(user_client, clinic, field,
                                                                     value):
    # Another, valid change in the same form must not be saved either.
    response = _save(user_client, **{"readiness_time": "19:00", field: value})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _field_error(page, field), f"no error shown beside {field}"
    assert f'aria-describedby="{field}-error"' in page
    assert _input_value(page, field) == value  # what they typed stays in the box
    assert _settings(clinic) == DEFAULTS
    assert _events() == []


def test_a_post_without_the_ladder_field_is_422_not_a_server_error(app, admin, signed_in):
    # Found by the route walk (tests/web/test_route_walk.py): a form missing the field
    # rendered the error page with None where the template joined a list.
    response = signed_in(admin).form("/clinic/settings", {"note": "walk"})
    assert response.status_code == 422
    assert "checkin_ladder_hours-error" in response.get_data(as_text=True)


def test_in_session_alert_thresholds_are_settings_with_their_change_log(user_client, clinic):
    """Issue 18: 180/110 mmHg and SpO2 below 90% by default, changed on the settings page
    within plausible bounds, each change in the change log in words."""
    page = user_client.get(URL).get_data(as_text=True)
    assert [_input_value(page, n) for n in (
        "bp_alert_systolic", "bp_alert_diastolic", "spo2_alert_below")] == ["180", "110", "90"]
    refused = _save(user_client, bp_alert_systolic="400")
    assert refused.status_code == 422
    assert _field_error(refused.get_data(as_text=True), "bp_alert_systolic") == (
        "A systolic pressure between 120 and 260 mmHg.")
    assert _save(user_client, bp_alert_systolic="170", spo2_alert_below="92").status_code == 303
    assert (_settings(clinic)["bp_alert_systolic"], _settings(clinic)["spo2_alert_below"]) == (
        170, 92)
    log = user_client.get(URL).get_data(as_text=True)
    assert "In-session alert, systolic at or above (mmHg) changed from 180 to 170" in log
    assert "In-session alert, oxygen saturation below (%) changed from 90 to 92" in log
