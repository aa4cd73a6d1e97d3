"""Quiet hours and reminders when the send job runs late (clinical.md, "Default check-in
ladder"): whatever made a message overdue, nothing reaches a patient inside quiet hours; a
reminder comes 2 h after its prompt reached the patient, never with it, and at most once; a
prompt that could not reach the patient before its window closed is "not sent", not missed.
Messages to staff ignore a patient's quiet hours. Each run uses the real send job and a real
push service on 127.0.0.1."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.clinics.services import update_settings
from app.extensions import db
from app.flags.models import Flag
from app.flags.services import evaluate_patient
from app.notifications import services as notifications
from app.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from app.prompts.models import Prompt, PromptStatus
from jobs import escalate, mark_missed, send_notifications
from tests import factories
from tests.web.flag_support import answers_totalling, phq9

PROMPT = "Time for your check-in"
REMINDER = "Reminder: your check-in is still open"
QUESTIONNAIRE = "Time for your weekly questionnaire"

# New York is UTC-5 in early March 2026; quiet hours are 21:30-08:00 there by default.
EVENING_END = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)  # 17:00 local: 2 h prompt at 19:00
SIX_LOCAL = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)      # 06:00 local the next morning
EIGHT_LOCAL = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)    # 08:00 local: quiet hours end
DAYTIME_END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # 11:00 local: the ladder is all daytime


def _patient_with_a_phone(clock, push_service, *, end, clinic=None, recorded_at=None):
    clock.now = end - timedelta(hours=1)
    clinic = clinic or factories.clinic()
    patient = factories.patient(clinic, clock())
    if recorded_at is not None:
        clock.now = recorded_at  # the clinic records the infusion late
    infusion = factories.infusion(patient, end=end)
    device = push_service.new_device()
    notifications.upsert_subscription(patient.user_id, device.subscription(push_service.base_url),
                                      now=clock())
    db.session.commit()
    return patient, infusion, device


def _two_step_clinic(clock):
    """A clinic whose ladder is 2 h and 24 h: the 2 h prompt stays open for 22 hours."""
    clinic = factories.clinic()
    update_settings(clinic, {"checkin_ladder_hours": [2, 24]}, by=factories.staff(clinic),
                    now=clock())
    db.session.commit()
    return clinic


def _bodies(push_service, device) -> list[str]:
    return [d.payload["body"] for d in push_service.deliveries_to(device)]


def _prompt(infusion, slot) -> Prompt:
    db.session.expire_all()
    return db.session.scalar(select(Prompt).where(Prompt.infusion_id == infusion.id,
                                                  Prompt.slot == slot))


def _notification(prompt, kind) -> Notification | None:
    return db.session.scalar(select(Notification).where(Notification.prompt_id == prompt.id,
                                                        Notification.kind == kind))


def test_jobs_down_overnight_push_nothing_before_quiet_hours_end(app, clock, push_service):
    """The reported case: the jobs process was down from 17:30 until 06:00 patient time."""
    # A two-step ladder, so the 2 h prompt (19:00) stays open overnight until 17:00 tomorrow.
    patient, infusion, device = _patient_with_a_phone(clock, push_service, end=EVENING_END,
                                                      clinic=_two_step_clinic(clock))

    # Back at 06:00: the 2 h prompt (due 19:00) and the weekly PHQ-9 (due 18:00) are overdue
    # and open, but it is quiet hours: both wait until 08:00, and that wait is no attempt.
    assert send_notifications.run(SIX_LOCAL) == {"claimed": 2, "deferred": 2}
    assert send_notifications.run(SIX_LOCAL + timedelta(minutes=1)) == {"claimed": 0}
    assert send_notifications.run(EIGHT_LOCAL - timedelta(minutes=1)) == {"claimed": 0}
    assert push_service.received == []
    two_hours = _prompt(infusion, "2h")
    push = _notification(two_hours, NotificationKind.PROMPT)
    assert (push.status, push.due_at, push.attempts) == (NotificationStatus.DUE, EIGHT_LOCAL, 0)
    assert db.session.scalars(select(DeliveryAttempt)).all() == []

    assert send_notifications.run(EIGHT_LOCAL) == {"claimed": 2, "sent": 2}
    assert sorted(_bodies(push_service, device)) == [PROMPT, QUESTIONNAIRE]
    push = _notification(_prompt(infusion, "2h"), NotificationKind.PROMPT)
    assert (push.sent_at, push.attempts) == (EIGHT_LOCAL, 1)


def test_a_prompt_due_in_the_evening_is_not_pushed_at_six_and_lapses_as_not_sent(
        app, clock, push_service):
    """Default ladder: the 2 h prompt (19:00) is open until the 6 h one (moved to 08:00). Found
    at 06:00, it could only go at 08:00, when its window has closed: it never goes, and it is
    not sent, not missed. The 6 h prompt goes at 08:00."""
    patient, infusion, device = _patient_with_a_phone(clock, push_service, end=EVENING_END)

    summary = send_notifications.run(SIX_LOCAL)
    assert summary == {"claimed": 2, "cancelled": 1, "deferred": 1}  # 2 h prompt; PHQ-9
    assert push_service.received == []
    assert mark_missed.run(EIGHT_LOCAL) == {"missed": 0, "not_sent": 1}
    assert send_notifications.run(EIGHT_LOCAL) == {"claimed": 2, "sent": 2}  # 6 h prompt; PHQ-9

    assert sorted(_bodies(push_service, device)) == [PROMPT, QUESTIONNAIRE]
    [pushed] = [d for d in push_service.deliveries_to(device) if d.payload["body"] == PROMPT]
    assert pushed.payload["tag"] == f"prompt-{_prompt(infusion, '6h').id}"
    assert _prompt(infusion, "2h").status == PromptStatus.NOT_SENT


def test_a_late_infusion_record_pushes_the_prompt_and_its_reminder_two_hours_later(
        app, clock, push_service):
    recorded = DAYTIME_END + timedelta(hours=3)  # the 2 h prompt was due an hour ago
    patient, infusion, device = _patient_with_a_phone(clock, push_service, end=DAYTIME_END,
                                                      recorded_at=recorded)

    assert send_notifications.run(recorded) == {"claimed": 1, "sent": 1}  # the prompt alone
    assert _bodies(push_service, device) == [PROMPT]
    reminder = _notification(_prompt(infusion, "2h"), NotificationKind.REMINDER)
    assert reminder.due_at == recorded + timedelta(hours=2)  # from when it reached the phone

    assert send_notifications.run(recorded + timedelta(minutes=1)) == {"claimed": 0}
    assert send_notifications.run(recorded + timedelta(hours=1, minutes=59)) == {"claimed": 0}
    assert send_notifications.run(recorded + timedelta(hours=2)) == {"claimed": 1, "sent": 1}
    assert _bodies(push_service, device) == [PROMPT, REMINDER]

    # At most once: later runs (the 6 h prompt among them) bring no second reminder for it.
    for minutes in (1, 30, 60, 61):
        send_notifications.run(recorded + timedelta(hours=2, minutes=minutes))
    two_hours = _prompt(infusion, "2h")
    reminders = [d for d in push_service.deliveries_to(device)
                 if d.payload["body"] == REMINDER and d.payload["tag"] == f"prompt-{two_hours.id}"]
    assert len(reminders) == 1
    assert _bodies(push_service, device) == [PROMPT, REMINDER, PROMPT]  # + the 6 h prompt


def test_a_reminder_already_due_still_waits_for_its_prompt(app, clock, push_service):
    """A reminder row made due before its prompt went (as an earlier version scheduled them)
    is held by the send-time rule: it goes 2 h after the prompt did, not in the same run."""
    patient, infusion, device = _patient_with_a_phone(clock, push_service, end=DAYTIME_END,
                                                      clinic=_two_step_clinic(clock))
    two_hours = _prompt(infusion, "2h")
    db.session.add(Notification(user_id=patient.user_id, prompt_id=two_hours.id,
                                kind=NotificationKind.REMINDER,
                                due_at=two_hours.due_at + timedelta(hours=2)))
    db.session.commit()
    late = two_hours.due_at + timedelta(hours=2, minutes=30)  # both overdue: jobs were down

    assert send_notifications.run(late) == {"claimed": 2, "sent": 1, "deferred": 1}
    assert _bodies(push_service, device) == [PROMPT]
    reminder = _notification(_prompt(infusion, "2h"), NotificationKind.REMINDER)
    assert (reminder.due_at, reminder.attempts) == (late + timedelta(hours=2), 0)
    assert send_notifications.run(late + timedelta(hours=2)) == {"claimed": 1, "sent": 1}
    assert _bodies(push_service, device) == [PROMPT, REMINDER]


def test_a_reminder_never_goes_in_quiet_hours(app, clock, push_service):
    # Ends 18:00 local: 2 h prompt at 20:00 is open until the 6 h one (moved to 08:00);
    # its reminder at 22:00 would be quiet and 08:00 closes the window: no reminder at all.
    patient, infusion, device = _patient_with_a_phone(
        clock, push_service, end=datetime(2026, 3, 3, 23, 0, tzinfo=UTC))
    pushed_at = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)

    assert send_notifications.run(pushed_at)["sent"] >= 1
    assert _notification(_prompt(infusion, "2h"), NotificationKind.REMINDER) is None
    for hours in (2, 4, 8, 11):
        send_notifications.run(pushed_at + timedelta(hours=hours))  # through the night, to 08:00
    assert REMINDER not in _bodies(push_service, device)


def test_a_prompt_whose_window_closed_while_the_jobs_were_down_is_not_sent(
        app, clock, push_service, signed_in):
    patient, infusion, device = _patient_with_a_phone(clock, push_service, end=DAYTIME_END)
    back = DAYTIME_END + timedelta(hours=26)  # down through the 2 h and 6 h windows

    assert mark_missed.run(back) == {"missed": 0, "not_sent": 2}
    send_notifications.run(back)

    assert _prompt(infusion, "2h").status == PromptStatus.NOT_SENT
    assert _prompt(infusion, "6h").status == PromptStatus.NOT_SENT
    tags = {d.payload["tag"] for d in push_service.deliveries_to(device)}
    assert f"prompt-{_prompt(infusion, '2h').id}" not in tags  # never pushed late
    assert f"prompt-{_prompt(infusion, '6h').id}" not in tags
    assert f"prompt-{_prompt(infusion, '24h').id}" in tags  # still open: that one goes
    assert evaluate_patient(patient, now=back) == []
    assert db.session.scalars(select(Flag).where(Flag.rule == "missed_checkins")).all() == []
    db.session.commit()

    # The patient page's adherence table shows them as not sent, not as missed.
    clinician = db.session.get(User, patient.created_by_id)
    html = signed_in(clinician).get(f"/clinic/patients/{patient.id}").get_data(as_text=True)
    table = html.split('id="chart-adherence-table"')[1].split("</table>")[0]
    headers = re.findall(r'<th scope="col">([^<]*)</th>', table)
    cells = re.findall(r"<td>([^<]*)</td>", table)
    row = dict(zip(headers[1:], cells, strict=True))
    assert (row["Missed"], row["Not sent"], row["Answered of closed"]) == ("0", "2", "—")


def test_the_same_prompts_sent_and_unanswered_are_missed_and_flagged(app, clock, push_service):
    """The counterpart of the case above: prompts that reached the phone and were not answered
    are missed, and the missed_checkins rule sees them."""
    patient, infusion, device = _patient_with_a_phone(clock, push_service, end=DAYTIME_END)
    for hours in (2, 4, 6, 8):
        send_notifications.run(DAYTIME_END + timedelta(hours=hours))
    back = DAYTIME_END + timedelta(hours=26)

    assert mark_missed.run(back) == {"missed": 2, "not_sent": 0}
    assert [f.rule for f in evaluate_patient(patient, now=back)] == ["missed_checkins"]


def test_an_escalation_to_staff_goes_inside_the_patients_quiet_hours(app, clock, push_service):
    patient, infusion, patient_phone = _patient_with_a_phone(clock, push_service,
                                                             end=DAYTIME_END)
    clinician = factories.staff(patient.clinic)
    staff_phone = push_service.new_device()
    notifications.upsert_subscription(clinician.id, staff_phone.subscription(push_service.base_url),
                                      now=clock())
    db.session.commit()
    night = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)  # 23:00 for the patient
    send_notifications.run(night - timedelta(hours=1))  # whatever was due for the patient before
    received_before = len(push_service.deliveries_to(patient_phone))
    phq9(patient, taken_at=night, answers=answers_totalling(8, item9=1))

    later = night + timedelta(minutes=31)
    assert escalate.run(later) == {"escalated": 1}
    summary = send_notifications.run(later)

    assert summary["sent"] >= 1
    [pushed] = push_service.deliveries_to(staff_phone)
    assert pushed.payload["url"] == "/clinic/"
    assert len(push_service.deliveries_to(patient_phone)) == received_before


def test_a_checkin_taken_in_the_window_of_a_prompt_not_sent_answers_it(app, clock, push_service):
    """The app lists due check-ins without any push: one taken offline inside the window and
    synced after the prompt lapsed as not sent still answers it."""
    patient, infusion, device = _patient_with_a_phone(clock, push_service, end=DAYTIME_END)
    back = DAYTIME_END + timedelta(hours=7)
    mark_missed.run(back)
    db.session.commit()
    assert _prompt(infusion, "2h").status == PromptStatus.NOT_SENT

    factories.checkin(patient, taken_at=DAYTIME_END + timedelta(hours=3), now=back)

    assert _prompt(infusion, "2h").status == PromptStatus.ANSWERED
