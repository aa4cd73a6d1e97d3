import enum

from flask_login import UserMixin

from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


class Role(enum.StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    """Anyone who signs in. Patients also have a Patient profile; staff are clinicians or admins."""

    __tablename__ = "user_account"
    # An email is unique within a clinic, not across clinics: whether an address has an
    # account in another clinic must not show in this one (docs/SECURITY.md, finding 12.7).
    __table_args__ = (db.UniqueConstraint("clinic_id", "email"),)

    id = db.Column(db.Integer, primary_key=True)
    clinic_id = db.Column(db.ForeignKey("clinic.id"), nullable=False, index=True)
    # None for a patient reached by phone only; staff always have one (their schemas check).
    email = db.Column(db.String(254), nullable=True, index=True)
    name = db.Column(db.String(120), nullable=False)
    role = db.Column(db.Enum(Role, native_enum=False, length=16,
                             values_callable=lambda e: [m.value for m in e]), nullable=False)
    # None until the person has followed their setup link.
    password_hash = db.Column(db.String(255), nullable=True)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    # "en" or "es" (issue 19): the pages, and every message sent to a patient, in this language.
    language = db.Column(db.String(8), nullable=False, default="en", server_default="en")

    clinic = db.relationship("Clinic")

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def account_name(self) -> str:
        """What names the account to a password manager, an authenticator app or the device
        cookie: the email, or for a patient reached by phone only a name made from the id."""
        return self.email or f"patient-{self.id}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AuthSession(db.Model):
    """One signed-in device. The browser holds a random token; only its hash is stored here."""

    __tablename__ = "auth_session"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(UTCDateTime, nullable=False)
    last_seen_at = db.Column(UTCDateTime, nullable=False)
    expires_at = db.Column(UTCDateTime, nullable=False)
    # Staff sessions end after this many seconds without a request; patients' have none.
    idle_timeout_seconds = db.Column(db.Integer, nullable=True)
    device = db.Column(db.String(120), nullable=False, default="")
    revoked_at = db.Column(UTCDateTime, nullable=True)
    # When a second factor was last given in this session (sign-in or step-up); None if never.
    second_factor_at = db.Column(UTCDateTime, nullable=True)

    user = db.relationship("User")


class SetupLink(db.Model):
    """A single-use link that lets a person set their password (enrollment or reset)."""

    __tablename__ = "setup_link"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False)
    expires_at = db.Column(UTCDateTime, nullable=False)
    used_at = db.Column(UTCDateTime, nullable=True)
    # Opening the link spends its token (which access logs record) on a setup session: a new
    # secret kept only in the opening browser's cookie. Only that secret can finish setup.
    opened_at = db.Column(UTCDateTime, nullable=True)
    session_hash = db.Column(db.String(64), nullable=True, unique=True)

    user = db.relationship("User", foreign_keys=[user_id])


class SignInLink(db.Model):
    """A patient's one-time sign-in link, sent by text or email: short-lived, single use."""

    __tablename__ = "sign_in_link"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(UTCDateTime, nullable=False)
    expires_at = db.Column(UTCDateTime, nullable=False)
    used_at = db.Column(UTCDateTime, nullable=True)

    user = db.relationship("User")
