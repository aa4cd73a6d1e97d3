"""Demo session records (issue 18): blood pressure, heart rate and saturation before, at about
40 minutes and before discharge, observed dissociation and sedation, and the discharge. One
demo patient has a high reading, marked on the record and on the infusion's timeline."""

import random
from datetime import timedelta

from app.monitoring import models, services

HIGH = (186, 112)


def record_session(infusion, *, clinic, by, rng: random.Random, high: bool = False) -> None:
    start, end = infusion.actual_start, infusion.actual_end
    base = rng.randint(118, 138), rng.randint(74, 86)
    moments = (("before", start - timedelta(minutes=5), (0, 0)),
               ("40min", start + timedelta(minutes=40), HIGH if high else (14, 8)),
               ("discharge", end + timedelta(minutes=30), (4, 2)))
    for phase, at, rise in moments:
        systolic, diastolic = rise if phase == "40min" and high else (
            base[0] + rise[0], base[1] + rise[1])
        services.add_reading(infusion, {
            "taken_at": at, "phase": phase, "systolic": systolic, "diastolic": diastolic,
            "heart_rate": rng.randint(64, 92), "spo2": rng.randint(95, 99)},
            clinic=clinic, by=by, now=at)
    services.add_row(models.SessionObservation, infusion, {
        "observed_at": start + timedelta(minutes=20),
        "dissociation": rng.choice(("mild", "moderate", "moderate", "severe")),
        "sedation": rng.choice(("none", "mild", "mild"))}, by=by, now=end)
    if high:
        services.add_row(models.AdverseEvent, infusion, {
            "occurred_at": start + timedelta(minutes=40),
            "what": "Blood pressure 186/112 at 40 minutes",
            "action_taken": "Infusion rate halved; rechecked after 15 minutes"}, by=by, now=end)
    services.set_discharge(infusion, {"discharged_at": end + timedelta(minutes=35),
                                      "stable": True, "driver_present": True}, by=by, now=end)
