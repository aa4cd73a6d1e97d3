"""A synthetic clinic network for the benchmark, written in bulk (not through the services).

Every size has the same clinics, staff and *active* patients (in treatment in the last two
weeks); a larger size adds history: patients who finished an induction series and a run of
maintenance infusions months or years ago. So S and L differ in the length of history, not in
the day's work, which is what "cost follows active patients" is measured against.

Rows follow the app's own rules: induction series of six infusions (Mon/Wed/Fri-like), the
check-in ladder from ``app.prompts.schedule`` (quiet hours included) for each infusion, prompt
rows answered or missed, their push notifications, side-effect ratings that fade over the
ladder, weekly PHQ-9s during induction, resolved flags in history and some open ones now,
and for every infusion that has ended the session record the clinic keeps (issue 18): blood
pressure, heart rate and saturation before, at 40 minutes and before discharge, and one or two
observations of dissociation and sedation.

Written with SQLAlchemy Core ``executemany`` in large batches on SQLite and ``COPY`` on
PostgreSQL, with primary keys chosen here so no row needs a RETURNING round trip.
"""

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from app.auth.services import hash_password
from app.checkins.catalog import SYMPTOMS
from app.clinics.settings import DEFAULTS
from app.dbtypes import UTCDateTime
from app.extensions import db
from app.monitoring.alerts import reading_alert
from app.monitoring.models import LEVELS
from app.prompts import schedule
from app.prompts.services import PHQ9_WEEKS, PHQ9_WINDOW

SEED_VERSION = 4  # bump when the shape of the data changes (invalidates cached SQLite files)
PASSWORD = "bench-password"  # noqa: S105  (synthetic accounts on a throwaway database)
SIZES = {"S": 1_000, "L": 10_000, "T": 60}  # T: a tiny size for the smoke test
CLINICS = (("Riverside", "America/New_York"), ("Lakeview", "America/Chicago"),
           ("Summit", "America/Denver"), ("Harbor", "America/Los_Angeles"))
STAFF_PER_CLINIC = 6  # plus one admin
ACTIVE_PER_CLINIC = 60
TINY_ACTIVE_PER_CLINIC = 5
LADDER = DEFAULTS["checkin_ladder_hours"]
QUIET = schedule.QuietHours(schedule.parse_hhmm(DEFAULTS["quiet_hours_start"]),
                            schedule.parse_hhmm(DEFAULTS["quiet_hours_end"]))
MAX_WINDOW = timedelta(hours=DEFAULTS["answer_window_hours"])
READINESS_AT = schedule.parse_hhmm(DEFAULTS["readiness_time"])
UNSENT_FOR = timedelta(hours=6)  # due pushes of the last hours wait for the send job
CODES = [s.code for s in SYMPTOMS if s.code != "other"]
BATCH = 20_000
# Observed peaks during a ketamine session: mostly mild dissociation, little sedation.
DISSOCIATION_WEIGHTS = (25, 45, 25, 5)
SEDATION_WEIGHTS = (40, 45, 13, 2)


def anchor_for(moment: datetime) -> datetime:
    """The seed's "now": midnight UTC of the day (cached files are valid for that day)."""
    return datetime.combine(moment.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)


@dataclass
class Tables:
    """Rows per table, as dicts keyed by column name, with the next id of each table."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    next_id: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, **values) -> int:
        row_id = values.get("id")
        if row_id is None and table != "alembic_version":
            row_id = self.next_id.get(table, 1)
            self.next_id[table] = row_id + 1
            values["id"] = row_id
        self.rows.setdefault(table, []).append(values)
        self.counts[table] = self.counts.get(table, 0) + 1
        return row_id


@dataclass
class Seeded:
    """What the benchmark needs to know about a seeded database."""

    size: str
    anchor: datetime
    counts: dict[str, int]
    clinician_ids: list[int]  # one clinician per clinic, clinic order
    active_patient_ids: list[int]
    active_user_ids: list[int]
    sample_patient_id: int  # an active patient of the first clinic (same at every size)

    def to_json(self) -> dict:
        return {**self.__dict__, "anchor": self.anchor.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> "Seeded":
        return cls(**{**data, "anchor": datetime.fromisoformat(data["anchor"])})


# Insert order: parents before children (foreign keys are enforced on both databases).
ORDER = ("clinic", "user_account", "patient", "treatment_series", "infusion", "vital_reading",
         "session_observation", "checkin", "symptom_rating", "phq9_response", "prompt",
         "notification", "flag", "flag_evidence")


class Writer:
    """Flushes Tables to the database in batches: Core executemany, or COPY on PostgreSQL."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.tables = db.metadata.tables

    def flush(self, tables: Tables) -> None:
        for name in ORDER:
            rows = tables.rows.pop(name, [])
            if rows:
                self._write(name, rows)
        self.connection.commit()

    def _write(self, name: str, rows: list[dict]) -> None:
        table = self.tables[name]
        columns = [c.name for c in table.columns]
        rows = _with_defaults(table, rows)
        if self.postgres:
            self._copy(table, columns, rows)
            return
        # SQLite: the driver's executemany with values already in SQLAlchemy's storage format
        # (its per-value type processing was most of the seeding time).
        convert = [_sqlite_converter(c.type) for c in table.columns]
        sql = (f"INSERT INTO {name} ({', '.join(columns)}) "  # noqa: S608  (our own tables)
               f"VALUES ({', '.join('?' for _ in columns)})")
        data = [tuple(f(row.get(c)) for f, c in zip(convert, columns, strict=True))
                for row in rows]
        for start in range(0, len(data), BATCH):
            self.connection.exec_driver_sql(sql, data[start:start + BATCH])

    def _copy(self, table, columns: list[str], rows: list[dict]) -> None:
        json_columns = {c.name for c in table.columns if isinstance(c.type, db.JSON)}
        raw = self.connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row.get(c)) if c in json_columns and
                                row.get(c) is not None else row.get(c) for c in columns])


def _with_defaults(table, rows: list[dict]) -> list[dict]:
    """Columns a row leaves out get the model's plain default ("auto", False, 0), as an ORM
    insert would (columns added later, e.g. a patient's channels, need no seed change)."""
    defaults = {c.name: c.default.arg for c in table.columns
                if c.default is not None and c.default.is_scalar}
    if not defaults:
        return rows
    return [{**{k: v for k, v in defaults.items() if k not in row}, **row} for row in rows]


def _sqlite_converter(column_type):
    """A value as SQLAlchemy stores it in SQLite for this column type."""
    if isinstance(column_type, UTCDateTime):
        return lambda v: None if v is None else f"{v.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"
    if isinstance(column_type, db.Uuid):
        return lambda v: None if v is None else v.hex
    if isinstance(column_type, db.JSON):
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(column_type, db.Boolean):
        return lambda v: None if v is None else int(v)
    if isinstance(column_type, db.Numeric):
        return lambda v: None if v is None else float(v)
    return lambda v: v


def _at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def _session_days(start: date, count: int) -> list[date]:
    """Induction: Mon/Wed/Fri-like, every two or three days."""
    days, day = [], start
    for _ in range(count):
        days.append(day)
        day += timedelta(days=3 if day.weekday() == 4 else 2)
    return days


class Generator:
    def __init__(self, size: str, anchor: datetime, tables: Tables, flush):
        self.size, self.anchor, self.t, self.flush = size, anchor, tables, flush
        self.patients = SIZES[size]
        self.active_per_clinic = (TINY_ACTIVE_PER_CLINIC if size == "T" else ACTIVE_PER_CLINIC)
        self.password_hash = hash_password(PASSWORD)
        self.clinics: list[tuple[int, str, list[int]]] = []
        self.active_patient_ids: list[int] = []
        self.active_user_ids: list[int] = []

    def run(self) -> None:
        created = self.anchor - timedelta(days=8 * 365)
        for index, (name, zone) in enumerate(CLINICS):
            clinic_id = self.t.add("clinic", name=f"{name} Clinic", timezone=zone,
                                   phone=f"(555) 010-010{index}", settings={},
                                   created_at=created)
            staff = []
            for n in range(STAFF_PER_CLINIC + 1):
                role = "admin" if n == 0 else "clinician"
                staff.append(self.t.add(
                    "user_account", clinic_id=clinic_id,
                    email=f"{role}{n}@{name.lower()}.bench.test", name=f"Dr {name} {n}",
                    role=role, password_hash=self.password_hash, active=True,
                    created_at=created))
            self.clinics.append((clinic_id, zone, staff))
        active_total = self.active_per_clinic * len(CLINICS)
        for index in range(self.patients):
            clinic_id, zone, staff = self.clinics[index % len(CLINICS)]
            # Active patients come first with fixed seeds: the same people at every size.
            seed_value = index if index < active_total else 1_000_003 * index + 7
            rng = random.Random(seed_value)  # noqa: S311  (synthetic data)
            # The session records draw from their own generator, so adding them (seed v4)
            # left every other row of v3 as it was.
            self.session_rng = random.Random(f"session-{seed_value}")  # noqa: S311
            self.patient(index, clinic_id, ZoneInfo(zone), staff, rng,
                         active=index < active_total)
            if index % 200 == 199:
                self.flush(self.t)
        self.flush(self.t)

    def patient(self, index: int, clinic_id: int, zone: ZoneInfo, staff: list[int],
                rng: random.Random, *, active: bool) -> None:
        by = rng.choice(staff[1:])
        if active and rng.random() < 0.8:
            started = self.anchor - timedelta(days=rng.uniform(1, 18))
            plan = [("induction", started, _session_days(
                (started + timedelta(days=1)).astimezone(zone).date(), 6))]
        else:
            if active:
                last = self.anchor - timedelta(days=rng.uniform(1, 12))
                maintenance = rng.randint(3, 8)
            else:
                # the last check-in (up to 4 days after) is more than two weeks old
                last = self.anchor - timedelta(days=rng.uniform(20, 4 * 365))
                maintenance = rng.randint(20, 34)
            gaps = [timedelta(days=rng.randint(21, 35)) for _ in range(maintenance)]
            first_maintenance = last - sum(gaps[1:], timedelta())
            induction_start = first_maintenance - timedelta(days=rng.randint(21, 40))
            induction_days = _session_days(induction_start.astimezone(zone).date(), 6)
            days, day = [], first_maintenance
            for gap in [*gaps[1:], None]:  # the last maintenance infusion is on ``last``
                days.append(day.astimezone(zone).date())
                day += gap or timedelta()
            plan = [("induction", induction_start - timedelta(days=1), induction_days),
                    ("maintenance", first_maintenance - timedelta(days=1), days)]
        enrolled = plan[0][1] - timedelta(days=rng.uniform(1, 10))
        user_id = self.t.add("user_account", clinic_id=clinic_id,
                             email=f"patient{index}@bench.test", name=f"Patient {index:05d}",
                             role="patient", password_hash=self.password_hash, active=True,
                             created_at=enrolled)
        patient_id = self.t.add("patient", user_id=user_id, clinic_id=clinic_id,
                                display_name=f"Patient {index:05d}", timezone=zone.key,
                                created_at=enrolled, created_by_id=by)
        if active:
            self.active_patient_ids.append(patient_id)
            self.active_user_ids.append(user_id)
        state = {"mood": rng.randint(2, 5), "checkins": []}
        for kind, started, days in plan:
            series_id = self.t.add("treatment_series", patient_id=patient_id, kind=kind,
                                   started_at=started, created_by_id=by)
            starts = [_at(day, rng.choice((9, 10, 13, 14)), rng.choice((0, 30)), zone)
                      for day in days]
            for number, start in enumerate(starts, 1):
                following = starts[number] if number < len(starts) else None
                self.infusion(patient_id, user_id, series_id, number, start, following, by,
                              zone, rng, state)
            if kind == "induction":
                self.phq9s(patient_id, user_id, series_id, started, zone, rng)
        self.flags(patient_id, clinic_id, rng, state, active=active)

    def infusion(self, patient_id, user_id, series_id, number, start, following, by, zone,
                 rng, state) -> None:
        done = start + timedelta(minutes=45) <= self.anchor
        end = start + timedelta(minutes=rng.randint(40, 50))
        infusion_id = self.t.add(
            "infusion", series_id=series_id, patient_id=patient_id, number=number,
            planned_start=start, actual_start=start if done else None,
            actual_end=end if done else None, dose_mg_per_kg=0.5, dose_mg=35.0, weight_kg=70.0,
            route="IV", notes="", recorded_by_id=by, created_at=start,
            updated_at=end if done else start)
        if not done:
            due = schedule.readiness(start, zone, QUIET, READINESS_AT)
            window = schedule.window_ends(due, start, MAX_WINDOW)
            if window > self.anchor:
                self.prompt(patient_id, user_id, infusion_id, None, schedule.READINESS, due,
                            window, rng, state, readiness=True)
            return
        self.session_record(infusion_id, start, end, by)
        steps = schedule.ladder(end, LADDER, zone, QUIET)
        steps = [(slot, due) for slot, due in steps if following is None or due < following]
        symptoms = {code: rng.randint(1, 3) for code in rng.sample(CODES, rng.randint(0, 3))}
        first = True
        for position, (slot, due) in enumerate(steps):
            later = steps[position + 1][1] if position + 1 < len(steps) else following
            window = schedule.window_ends(due, later, MAX_WINDOW)
            checkin_id = self.prompt(patient_id, user_id, infusion_id, None, slot, due, window,
                                     rng, state, symptoms=symptoms, home=first)
            if checkin_id:
                first = False
                symptoms = {c: max(0, s - rng.choice((0, 1, 1, 2))) for c, s in symptoms.items()
                            if s > 0 or rng.random() < 0.1}

    def session_record(self, infusion_id, start, end, by) -> None:
        """Vital signs before, at 40 minutes and before discharge (pressure up with the
        infusion, an alert by the clinic's default thresholds now and then), and one or two
        observations of dissociation and sedation."""
        rng = self.session_rng
        systolic, diastolic = rng.randint(108, 142), rng.randint(66, 90)
        heart_rate, spo2 = rng.randint(58, 92), rng.randint(95, 99)
        rise = (rng.randint(40, 55), rng.randint(18, 26)) if rng.random() < 0.02 else (
            rng.randint(4, 24), rng.randint(2, 12))
        readings = (
            ("before", start - timedelta(minutes=rng.randint(5, 15)), 0, 0, 0, 0),
            ("40min", start + timedelta(minutes=40), rise[0], rise[1], rng.randint(0, 14),
             -rng.choice((0, 0, 0, 1, 1, 2))),
            ("discharge", end + timedelta(minutes=rng.randint(15, 35)), rng.randint(-4, 8),
             rng.randint(-3, 5), rng.randint(-4, 6), 0))
        for phase, taken, d_sys, d_dia, d_hr, d_spo2 in readings:
            if taken > self.anchor:
                continue  # discharged after the seed's "now": not recorded yet
            values = (systolic + d_sys, diastolic + d_dia, spo2 + d_spo2)
            self.t.add("vital_reading", infusion_id=infusion_id, taken_at=taken, phase=phase,
                       systolic=values[0], diastolic=values[1], heart_rate=heart_rate + d_hr,
                       spo2=values[2], alert=reading_alert(*values, DEFAULTS),
                       recorded_by_id=by, created_at=taken)
        for minutes in (20, 35)[:rng.choice((1, 1, 2))]:
            observed = start + timedelta(minutes=minutes)
            self.t.add("session_observation", infusion_id=infusion_id, observed_at=observed,
                       dissociation=rng.choices(LEVELS, DISSOCIATION_WEIGHTS)[0],
                       sedation=rng.choices(LEVELS, SEDATION_WEIGHTS)[0], recorded_by_id=by,
                       created_at=observed)

    def prompt(self, patient_id, user_id, infusion_id, series_id, slot, due, window, rng,
               state, *, symptoms=None, home=False, readiness=False) -> int | None:
        """A prompt row, its notifications, and the check-in that answered it (if any)."""
        checkin_id = None
        if due > self.anchor or window > self.anchor:
            status = "pending"
        elif rng.random() < 0.85:
            status = "answered"
        else:
            status = "missed"
        if status == "answered" and not readiness:
            taken = due + (window - due) * rng.uniform(0.02, 0.6)
            state["mood"] = max(0, min(10, state["mood"] + rng.choice((-1, 0, 0, 1, 1))))
            checkin_id = self.t.add(
                "checkin", patient_id=patient_id, infusion_id=infusion_id,
                client_id=uuid.UUID(int=rng.getrandbits(128)), taken_at=taken,
                received_at=taken + timedelta(seconds=rng.randint(1, 90)), mood=state["mood"],
                note="", home_safely=True if home else None)
            state["checkins"].append((checkin_id, infusion_id, taken))
            for code, severity in (symptoms or {}).items():
                self.t.add("symptom_rating", checkin_id=checkin_id, code=code,
                           severity=severity, detail="")
        prompt_id = self.t.add(
            "prompt", patient_id=patient_id, infusion_id=infusion_id, series_id=series_id,
            slot=slot, due_at=due, window_ends_at=window, status=status,
            answered_checkin_id=checkin_id, created_at=due - timedelta(hours=2),
            updated_at=due)
        unsent = due > self.anchor or (status == "pending" and due > self.anchor - UNSENT_FOR)
        push = ("due", None) if unsent else ("sent", due)
        self.t.add("notification", user_id=user_id, prompt_id=prompt_id, flag_id=None,
                   kind="prompt", due_at=due, status=push[0], claimed_at=push[1],
                   attempts=1 if push[1] else 0, sent_at=push[1], created_at=due)
        reminder = due + timedelta(hours=DEFAULTS["reminder_delay_hours"])
        if reminder < window:
            status_r = ("due" if status == "pending" and reminder > self.anchor - UNSENT_FOR
                        else "sent" if status == "missed" else "cancelled")
            self.t.add("notification", user_id=user_id, prompt_id=prompt_id, flag_id=None,
                       kind="reminder", due_at=reminder, status=status_r,
                       claimed_at=reminder if status_r == "sent" else None,
                       attempts=1 if status_r == "sent" else 0,
                       sent_at=reminder if status_r == "sent" else None, created_at=due)
        return checkin_id

    def phq9s(self, patient_id, user_id, series_id, started, zone, rng) -> None:
        total = rng.randint(14, 24)
        first_day = started.astimezone(zone).date()
        for week in range(PHQ9_WEEKS):
            due = schedule.outside_quiet_hours(
                datetime.combine(first_day + timedelta(days=7 * week), READINESS_AT,
                                 tzinfo=zone), zone, QUIET)
            window = due + PHQ9_WINDOW
            answered = window <= self.anchor and rng.random() < 0.8
            status = "answered" if answered else ("pending" if window > self.anchor
                                                  else "missed")
            if answered:
                taken = due + timedelta(hours=rng.uniform(0.1, 30))
                answers = [min(3, max(0, total // 9 + rng.choice((-1, 0, 0, 1))))
                           for _ in range(8)]
                answers.append(1 if rng.random() < 0.02 else 0)
                self.t.add("phq9_response", patient_id=patient_id, series_id=series_id,
                           client_id=uuid.UUID(int=rng.getrandbits(128)), taken_at=taken,
                           received_at=taken, loinc="44249-1", answers=answers,
                           total=sum(answers))
                total = max(0, total - rng.randint(0, 6))
            prompt_id = self.t.add(
                "prompt", patient_id=patient_id, infusion_id=None, series_id=series_id,
                slot=f"phq9-{week + 1}", due_at=due, window_ends_at=window, status=status,
                answered_checkin_id=None, created_at=started, updated_at=due)
            sent = due <= self.anchor - UNSENT_FOR
            self.t.add("notification", user_id=user_id, prompt_id=prompt_id, flag_id=None,
                       kind="prompt", due_at=due, status="sent" if sent else "due",
                       claimed_at=due if sent else None, attempts=1 if sent else 0,
                       sent_at=due if sent else None, created_at=started)

    def flags(self, patient_id, clinic_id, rng, state, *, active: bool) -> None:
        checkins = state["checkins"]
        if not checkins:
            return
        count = rng.choice((0, 0, 1, 1, 2)) if not active else rng.choice((0, 0, 1))
        used = set()
        for n in range(count):
            checkin_id, infusion_id, taken = rng.choice(checkins)
            rule, priority = rng.choice((("persistent_symptom", 2), ("mood_drop", 1),
                                         ("missed_checkins", 3), ("severe_symptom", 1)))
            key = f"{rule}:-:{infusion_id}"
            if key in used:
                continue
            used.add(key)
            status = "resolved" if not active or n > 0 else rng.choice(("open", "acknowledged"))
            flag_id = self.t.add(
                "flag", clinic_id=clinic_id, patient_id=patient_id, rule=rule, symptom=None,
                infusion_id=infusion_id, dedupe_key=key, priority=priority, status=status,
                created_at=taken, opened_at=taken, times_opened=1,
                acknowledged_at=None if status == "open" else taken
                + timedelta(hours=1), acknowledged_by_id=None, acknowledge_note="",
                resolved_at=taken + timedelta(hours=5) if status == "resolved" else None,
                resolved_by_id=None, resolve_note="", escalated_at=None)
            self.t.add("flag_evidence", flag_id=flag_id, kind="checkin", ref_id=checkin_id)


def seed(size: str, anchor: datetime) -> Seeded:
    """Write the size's clinic network into the app's (empty, migrated) database."""
    tables = Tables()
    with db.engine.connect() as connection:
        writer = Writer(connection)  # commits each batch: no gigabyte-sized transaction
        generator = Generator(size, anchor, tables, writer.flush)
        generator.run()
        if writer.postgres:
            for name in ORDER:
                sql = (f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                       f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)")  # our tables
                connection.execute(text(sql))
        connection.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.dialect.name == "sqlite":  # sampled statistics: seconds, not minutes
            connection.execute(text("PRAGMA analysis_limit=1000"))
            connection.execute(text("ANALYZE"))
        else:
            # As a long-lived database would be: otherwise autovacuum works through the fresh
            # millions of rows while the pages are being timed.
            connection.execute(text("VACUUM ANALYZE"))
    return Seeded(size=size, anchor=anchor, counts=dict(tables.counts),
                  clinician_ids=[staff[1] for _, _, staff in generator.clinics],
                  active_patient_ids=generator.active_patient_ids,
                  active_user_ids=generator.active_user_ids,
                  # patient 0: active, in the first clinic, the same person at every size
                  sample_patient_id=generator.active_patient_ids[0])


def iter_sizes(value: str) -> Iterator[str]:
    for name in (value or "S,L").replace(" ", "").split(","):
        if name not in SIZES:
            raise SystemExit(f"BENCH_SIZES: unknown size {name!r} (choose from S, L, or T: tiny)")
        yield name
