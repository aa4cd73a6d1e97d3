"""Imports every feature's models so the metadata is complete (Alembic, create_all)."""

from app.audit.models import AuditEvent  # noqa: F401
from app.auth.models import AuthSession, SetupLink, User  # noqa: F401
from app.checkins.models import CheckIn, SymptomRating  # noqa: F401
from app.clinics.models import Clinic  # noqa: F401
from app.flags.models import Flag, FlagEvidence  # noqa: F401
from app.infusions.models import Infusion, TreatmentSeries  # noqa: F401
from app.jobruns.models import JobRun  # noqa: F401
from app.mfa.models import RecoveryCode, TotpSecret  # noqa: F401
from app.monitoring.models import AdverseEvent, Discharge, SessionObservation, VitalReading  # noqa: F401,E501
from app.notifications.models import DeliveryAttempt, Notification, PushSubscription  # noqa: F401
from app.passkeys.models import Passkey  # noqa: F401
from app.patients.models import Patient  # noqa: F401
from app.phq9.models import Phq9Response  # noqa: F401
from app.prompts.models import Prompt  # noqa: F401
