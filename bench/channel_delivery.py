"""The send job over 1,000 due messages spread over the three channels (issue 16), for
``make bench``: a third of the patients have a phone subscribed to the tests' Web Push
service, a third a phone number with consent (texts to the tests' Twilio-speaking provider),
a third only their email (to the tests' SMTP server, aiosmtpd). One run of the send job;
seconds, what it did, and what each channel's server received. On a fresh SQLite database in
the bench directory; the moment is fixed (11:00 in New York) so quiet hours never interfere.
"""

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.extensions import db
from app.notifications import services as notifications
from app.notifications.push_keys import public_key
from app.patients.services import set_contact
from bench.push_delivery import _fresh
from jobs import send_notifications
from tests import factories, push_service, sms_provider, smtp_server

NOW = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)  # the 2 h prompts of infusions ended at 16:00


def _patients(total: int, service) -> None:
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    end = NOW - timedelta(hours=2)
    for n in range(total):
        patient = factories.patient(clinic, end - timedelta(hours=1), by=clinician)
        if n % 3 == 0:
            info = service.new_device().subscription(service.base_url)
            notifications.upsert_subscription(patient.user_id, info, now=end)
        elif n % 3 == 1:
            set_contact(patient, by=clinician, now=end, phone=f"+1202555{n % 10000:04d}",
                        sms_consent=True)
        db.session.commit()
        factories.infusion(patient, end=end, by=clinician)


def run_three_channels(total: int = 1000) -> dict:
    app, _ = _fresh("channels.db")
    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        push = push_service.start(expected_vapid_key=public_key(app))
        sms = sms_provider.start()
        sms.send_callbacks = False  # no web server to call back in the bench
        mail = smtp_server.start(Path(folder))
        sms_provider.configure(app, sms)
        smtp_server.configure(app, mail)
        try:
            seeded_at = time.perf_counter()
            _patients(total, push)
            seed_seconds = time.perf_counter() - seeded_at
            started = time.perf_counter()
            summary = send_notifications.run(NOW)
            seconds = time.perf_counter() - started
            received = {"push": len(push.received), "sms": len(sms.texts),
                        "email": len(mail.received)}
        finally:
            push.server.shutdown()
            sms.server.shutdown()
            mail.stop()
            db.engine.dispose()
    return {"seconds": round(seconds, 2), "summary": summary, "received": received,
            "seed_seconds": round(seed_seconds, 1)}


def measure(total: int = 1000) -> dict:
    return {"send_1000_three_channels": run_three_channels(total)}


if __name__ == "__main__":
    import json

    print(json.dumps(measure()))
