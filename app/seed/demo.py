"""The demo clinic for ``make run``: staff, and twelve patients at different points of a series.

Histories are placed relative to the moment of seeding, so the demo always looks current.
Seeding is idempotent: when the demo clinic exists, nothing is written.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.auth.models import Role
from app.auth.services import create_staff, hash_password
from app.checkins.services import submit
from app.clinics.services import clinic_by_name, create_clinic
from app.flags.services import evaluate_patient
from app.infusions import services as infusions
from app.patients.services import enroll, set_contact
from app.phq9.services import submit as submit_phq9
from app.seed.sessions import record_session

CLINIC_NAME = "Demo Ketamine Clinic"
CLINIC_ZONE = "America/New_York"
DEMO_PASSWORD = "aftercare-demo"  # noqa: S105  (published demo login, in the README)
DOMAIN = "demo.aftercare.test"
CHECKIN_HOURS = (2, 6, 24, 48)


@dataclass
class Story:
    """How one demo patient's series has gone so far."""

    name: str
    done: int                       # infusions completed in the induction series
    mood_start: float = 3.0
    mood_step: float = 0.7          # change in mood per infusion
    lasting: dict = field(default_factory=dict)  # infusion number -> symptom lasting past a day
    zone: str = CLINIC_ZONE
    skip_rate: float = 0.1          # share of check-ins the patient misses
    maintenance: int = 0            # infusions done in a maintenance series after induction
    last_ended_hours_ago: float = 50.0
    high_bp_at: int = 0             # infusion with a high blood pressure reading


STORIES = (
    Story("Jordan A.", done=0),
    Story("Sam B.", done=1, last_ended_hours_ago=3),
    Story("Riley C.", done=2),
    Story("Morgan D.", done=3, lasting={3: "headache"}, last_ended_hours_ago=50),
    Story("Casey E.", done=4, mood_step=1.0),
    Story("Taylor F.", done=5, lasting={5: "lightheadedness"}, last_ended_hours_ago=50),
    Story("Avery G.", done=6, mood_step=0.9),
    Story("Jamie H.", done=6, mood_step=0.8, maintenance=1, last_ended_hours_ago=26),
    Story("Quinn I.", done=4, mood_start=5.0, mood_step=-0.8, high_bp_at=3),
    Story("Drew J.", done=3, skip_rate=0.6),
    Story("Parker K.", done=2, zone="America/Los_Angeles", lasting={1: "nausea"}),
    Story("Reese L.", done=6, mood_start=3.0, mood_step=0.1),
)


def logins() -> list[tuple[str, str]]:
    return [("admin", f"admin@{DOMAIN}"), ("clinician", f"rivera@{DOMAIN}"),
            ("clinician", f"chen@{DOMAIN}"),
            ("patients", f"{_patient_email(1)} ... {_patient_email(len(STORIES))}")]


def _patient_email(index: int) -> str:
    return f"patient{index:02d}@{DOMAIN}"


def seed(now: datetime | None = None) -> tuple[bool, list[tuple[str, str]]]:
    """Create the demo clinic unless it exists; returns (created, logins). Caller commits."""
    if clinic_by_name(CLINIC_NAME) is not None:
        return False, logins()
    now = now or datetime.now(UTC)
    rng = random.Random(20260101)
    password_hash = hash_password(DEMO_PASSWORD)
    clinic = create_clinic(name=CLINIC_NAME, timezone=CLINIC_ZONE, phone="(555) 010-0199")
    admin = create_staff(clinic.id, email=f"admin@{DOMAIN}", name="Alex Admin", role=Role.ADMIN)
    rivera = create_staff(clinic.id, email=f"rivera@{DOMAIN}", name="Dr Rivera",
                          role=Role.CLINICIAN)
    chen = create_staff(clinic.id, email=f"chen@{DOMAIN}", name="Dr Chen", role=Role.CLINICIAN)
    for user in (admin, rivera, chen):
        user.password_hash = password_hash
    for index, story in enumerate(STORIES, start=1):
        clinician = rivera if index % 2 else chen
        enrolled = now - timedelta(days=3 * story.done + 7)
        patient = enroll(clinic.id, display_name=story.name, email=_patient_email(index),
                         timezone=story.zone, by=clinician, now=enrolled)
        patient.user.password_hash = password_hash
        if index % 2:  # half the demo patients get texts (a fictional 555-01xx number)
            set_contact(patient, by=clinician, now=enrolled, phone=f"+120255501{index:02d}",
                        sms_consent=True)
        _play(story, patient, clinician, now, rng)
        _weekly_phq9(story, patient, enrolled, now)
        evaluate_patient(patient, now=now)
    return True, logins()


def _infusion_ends(story: Story, now: datetime) -> list[datetime]:
    """Ends of the completed infusions: late morning clinic time, every two or three days."""
    last = _clinic_morning(now - timedelta(hours=story.last_ended_hours_ago), now)
    if story.maintenance:
        first = last - timedelta(days=21 + 2 * (story.done - 1))
        return ([_clinic_morning(first + timedelta(days=2 * i), now) for i in range(story.done)]
                + [last])
    return [_clinic_morning(last - timedelta(days=2 * (story.done - 1 - i)), now)
            for i in range(story.done)]


def _clinic_morning(moment: datetime, now: datetime) -> datetime:
    """11:00 clinic time on the day of ``moment``, or the day before if that is still ahead."""
    zone = ZoneInfo(CLINIC_ZONE)
    local = datetime.combine(moment.astimezone(zone).date(), time(11, 0), tzinfo=zone)
    if local > now:
        local -= timedelta(days=1)
    return local.astimezone(UTC)


def _play(story: Story, patient, clinician, now: datetime, rng: random.Random) -> None:
    ends = _infusion_ends(story, now)
    weight_kg = Decimal(rng.randint(55, 95))
    for number, end in enumerate(ends, start=1):
        if number == story.done + 1 and story.maintenance:
            infusions.start_maintenance(patient, by=clinician, now=end - timedelta(days=1))
        start = end - timedelta(minutes=40 + rng.randint(0, 10))
        infusion = infusions.record(patient, {
            "planned_start": start.replace(second=0, microsecond=0),
            "actual_start": start, "actual_end": end,
            "dose_mg_per_kg": Decimal("0.5"), "dose_mg": weight_kg * Decimal("0.5"),
            "weight_kg": weight_kg, "route": "IV", "notes": "",
        }, by=clinician, now=end)
        record_session(infusion, clinic=patient.clinic, by=clinician,  # rng of its own:
                       rng=random.Random(f"{story.name}/{number}"),  # the stories stay as they were
                       high=number == story.high_bp_at)
        mood = story.mood_start + story.mood_step * (number - 1)
        for hours in CHECKIN_HOURS:
            taken = end + timedelta(hours=hours, minutes=rng.randint(0, 40))
            if taken > now or rng.random() < story.skip_rate:
                continue
            _checkin(patient, taken, mood + rng.uniform(-0.7, 0.9),
                     _symptoms(hours, story.lasting.get(number), rng),
                     home_safely=True if hours == CHECKIN_HOURS[0] else None)
    if story.done < 6 and not story.maintenance:
        _plan_next(patient, clinician, ends[-1] if ends else now, now, weight_kg)


def _symptoms(hours: int, lasting: str | None, rng: random.Random) -> list[dict]:
    """Typical fading side effects, plus one that lasts past a day when the story says so."""
    fade = {2: 2, 6: 1}.get(hours, 0)
    ratings = {
        "dissociation": max(0, fade - (rng.random() < 0.3)),
        "nausea": max(0, fade - 1 + (rng.random() < 0.3)),
        "grogginess": max(0, fade + (rng.random() < 0.4) - 1),
        "headache": 0, "lightheadedness": 0, "vision": 0, "anxiety": 0, "other": 0,
    }
    if lasting:
        ratings[lasting] = 2 if hours <= 24 else 1
    return [{"code": code, "severity": severity, "detail": ""}
            for code, severity in ratings.items()]


def _checkin(patient, taken: datetime, mood: float, symptoms, home_safely) -> None:
    submit(patient, {"client_id": uuid.uuid4(), "taken_at": taken,
                     "mood": max(0, min(10, round(mood))), "symptoms": symptoms, "note": "",
                     "home_safely": home_safely}, now=taken)


def _weekly_phq9(story: Story, patient, enrolled: datetime, now: datetime) -> None:
    """A PHQ-9 a week from enrollment: totals follow the story's mood (down is better).

    Quinn, whose mood falls, answers item 9 above 0 in the latest one: an urgent safety flag.
    """
    if story.done == 0:
        return
    weeks = int((now - enrolled) / timedelta(days=7)) + 1
    for week in range(weeks):
        taken = enrolled + timedelta(days=7 * week, hours=2)
        total = max(2, min(26, round(18 - week * story.mood_step * 4)))
        answers = [total // 9 + (1 if i < total % 9 else 0) for i in range(9)]
        answers[8] = 1 if story.mood_step < 0 and week == weeks - 1 else 0
        answers[0] += total - sum(answers)  # keep the total after setting item 9
        answers = [max(0, min(3, a)) for a in answers]
        submit_phq9(patient, {"client_id": uuid.uuid4(), "taken_at": taken,
                              "answers": answers}, now=taken)


def _plan_next(patient, clinician, after: datetime, now: datetime, weight_kg: Decimal) -> None:
    """The next induction infusion, planned for 10:00 clinic time two or three days on."""
    zone = ZoneInfo(CLINIC_ZONE)
    day = max(after, now).astimezone(zone).date() + timedelta(days=2)
    planned = datetime.combine(day, time(10, 0), tzinfo=zone)
    infusions.record(patient, {"planned_start": planned, "actual_start": None,
                               "actual_end": None, "dose_mg_per_kg": Decimal("0.5"),
                               "dose_mg": None, "weight_kg": weight_kg, "route": "IV",
                               "notes": ""},
                     by=clinician, now=now)
