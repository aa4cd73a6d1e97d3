"""Issue 12, point 9: offboarding.

Admins deactivate and reactivate staff, and give them new setup links; staff discharge and
re-admit patients; the `flask users` commands do the same from a shell. A deactivated account
is signed out everywhere, loses its push subscriptions, gets no more messages, and is refused
sign-in with a clear message (told only to who knows the password). Every step is audited.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.auth.signing_in import DEACTIVATED_MESSAGE
from app.extensions import db
from app.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    PushSubscription,
)
from app.notifications.services import upsert_subscription
from app.prompts.models import Prompt, PromptStatus
from tests import factories
from tests.web.auth_support import (
    FAILED_LOGIN_MESSAGE,
    NEW_PASSWORD,
    audit_events,
    count,
    login,
    set_password,
    setup_token_in,
    signed_in_role,
)


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def admin(clinic):
    return factories.staff(clinic, role=Role.ADMIN)


@pytest.fixture
def clinician(clinic):
    return factories.staff(clinic)


def _subscribe(user, now, name="phone"):
    upsert_subscription(user.id, {"endpoint": f"http://127.0.0.1:9/{name}-{user.id}",
                                  "keys": {"p256dh": "k" * 87, "auth": "a" * 22}}, now=now)
    db.session.commit()


def _subscriptions(user) -> int:
    return count(PushSubscription, PushSubscription.user_id == user.id)


# --- staff ---------------------------------------------------------------------------------

def test_deactivating_a_clinician_asks_first_then_ends_everything(app, clock, admin, clinician,
                                                                  signed_in):
    desk = signed_in(admin)
    their_laptop = signed_in(clinician)
    _subscribe(clinician, clock())
    waiting = Notification(user_id=clinician.id, kind=NotificationKind.ESCALATION,
                           due_at=clock())
    db.session.add(waiting)
    db.session.commit()

    confirm = desk.get(f"/clinic/staff/{clinician.id}/deactivate")
    assert confirm.status_code == 200
    assert f'action="/clinic/staff/{clinician.id}/deactivate"' in confirm.get_data(as_text=True)
    db.session.refresh(clinician)
    assert clinician.active  # asking changes nothing

    response = desk.form(f"/clinic/staff/{clinician.id}/deactivate")

    assert response.status_code == 303
    db.session.expire_all()
    assert not clinician.active
    assert signed_in_role(their_laptop) is None
    assert _subscriptions(clinician) == 0
    assert db.session.get(Notification, waiting.id).status == NotificationStatus.CANCELLED
    [event] = audit_events("staff.deactivate")
    assert (event.actor_id, event.target) == (admin.id, f"user:{clinician.id}")
    assert "deactivated" in desk.get("/clinic/staff").get_data(as_text=True)


def test_a_deactivated_clinician_is_told_so_only_with_the_right_password(app, admin, clinician,
                                                                          signed_in):
    signed_in(admin).form(f"/clinic/staff/{clinician.id}/deactivate")

    right = login(app.test_client(), clinician.email)
    wrong = login(app.test_client(), clinician.email, "not their password")

    assert right.status_code == 403
    assert DEACTIVATED_MESSAGE in right.get_data(as_text=True)
    assert wrong.status_code == 401
    assert FAILED_LOGIN_MESSAGE in wrong.get_data(as_text=True)
    assert DEACTIVATED_MESSAGE not in wrong.get_data(as_text=True)


def test_reactivating_lets_them_sign_in_again(app, admin, clinician, signed_in):
    desk = signed_in(admin)
    desk.form(f"/clinic/staff/{clinician.id}/deactivate")

    assert desk.form(f"/clinic/staff/{clinician.id}/reactivate").status_code == 303

    laptop = app.test_client()
    assert login(laptop, clinician.email).status_code == 302
    assert signed_in_role(laptop) == "clinician"
    assert audit_events("staff.reactivate")[0].target == f"user:{clinician.id}"


def test_an_admin_cannot_deactivate_themselves(app, admin, signed_in):
    desk = signed_in(admin)

    response = desk.form(f"/clinic/staff/{admin.id}/deactivate", follow_redirects=True)

    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active
    assert audit_events("staff.deactivate") == []


def test_the_last_active_admin_cannot_be_deactivated(app, clinic, admin, signed_in):
    second = factories.staff(clinic, role=Role.ADMIN)
    desk = signed_in(admin)
    assert desk.form(f"/clinic/staff/{second.id}/deactivate").status_code == 303
    db.session.refresh(second)
    assert not second.active

    result = app.test_cli_runner().invoke(args=["users", "deactivate", "--email", admin.email])

    assert result.exit_code != 0
    assert "last active admin" in result.output
    db.session.refresh(admin)
    assert admin.active


def test_a_clinician_cannot_deactivate_anyone(app, clinic, clinician, admin, signed_in):
    other = factories.staff(clinic)
    response = signed_in(clinician).form(f"/clinic/staff/{other.id}/deactivate")

    assert response.status_code == 403
    db.session.refresh(other)
    assert other.active


def test_an_admin_gives_a_staff_member_a_new_setup_link(app, admin, clinician, signed_in):
    response = signed_in(admin).form(f"/clinic/staff/{clinician.id}/setup-link")

    assert response.status_code == 200
    token = setup_token_in(response)
    laptop = app.test_client()
    assert set_password(laptop, token, NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), clinician.email, NEW_PASSWORD).status_code == 302
    assert audit_events("staff.setup_link")[0].target == f"user:{clinician.id}"


def test_the_cli_deactivates_and_reactivates_a_user(app, clinician):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["users", "deactivate", "--email", clinician.email.upper()])
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), clinician.email).status_code == 403
    assert audit_events("staff.deactivate")[0].detail == {"via": "cli"}

    assert runner.invoke(args=["users", "reactivate", "--email", clinician.email]).exit_code == 0
    assert login(app.test_client(), clinician.email).status_code == 302


# --- patients ------------------------------------------------------------------------------

@pytest.fixture
def patient(clinic, clinician, clock):
    made = factories.patient(clinic, clock(), by=clinician)
    factories.infusion(made, end=clock() - timedelta(hours=1), by=clinician)
    return made


def _prompts(patient, status=None) -> list[Prompt]:
    db.session.expire_all()
    query = select(Prompt).where(Prompt.patient_id == patient.id)
    if status is not None:
        query = query.where(Prompt.status == status)
    return list(db.session.scalars(query))


def _due_messages(user) -> int:
    return count(Notification, Notification.user_id == user.id,
                 Notification.status == NotificationStatus.DUE)


def test_discharging_a_patient_stops_prompts_and_sign_in_and_keeps_the_record(
        app, clock, clinician, patient, signed_in):
    phone = signed_in(patient.user)
    _subscribe(patient.user, clock())
    factories.checkin(patient, taken_at=clock() - timedelta(minutes=5), note="kept")
    assert _prompts(patient, PromptStatus.PENDING) and _due_messages(patient.user)
    desk = signed_in(clinician)

    assert desk.get(f"/clinic/patients/{patient.id}/discharge").status_code == 200
    response = desk.form(f"/clinic/patients/{patient.id}/discharge")

    assert response.status_code == 303
    assert _prompts(patient, PromptStatus.PENDING) == []
    assert _due_messages(patient.user) == 0
    assert _subscriptions(patient.user) == 0
    assert signed_in_role(phone) is None
    refused = login(app.test_client(), patient.user.email)
    assert refused.status_code == 403 and DEACTIVATED_MESSAGE in refused.get_data(as_text=True)
    page = desk.get(f"/clinic/patients/{patient.id}").get_data(as_text=True)
    assert "Discharged." in page and "kept" in page
    assert audit_events("patient.discharge")[0].patient_id == patient.id


def test_a_discharged_patient_gets_no_new_prompts_until_readmitted(app, clock, clinician,
                                                                   patient, signed_in):
    desk = signed_in(clinician)
    desk.form(f"/clinic/patients/{patient.id}/discharge")
    before = len(_prompts(patient))

    factories.infusion(patient, end=clock() + timedelta(days=2), by=clinician)
    assert len(_prompts(patient)) == before
    assert _prompts(patient, PromptStatus.PENDING) == []

    assert desk.form(f"/clinic/patients/{patient.id}/readmit").status_code == 303
    assert login(app.test_client(), patient.user.email).status_code == 302
    factories.infusion(patient, end=clock() + timedelta(days=5), by=clinician)
    assert _prompts(patient, PromptStatus.PENDING)
    assert audit_events("patient.readmit")[0].patient_id == patient.id
