"""Second factors: an authenticator app's secret (TOTP) and single-use recovery codes."""

from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


class TotpSecret(db.Model):
    """One authenticator app per person, saved only once a code from it was confirmed.
    ``last_step`` is the 30-second time step of the last code accepted: a code of that step
    or an earlier one is refused, so a code seen over a shoulder cannot be used again."""

    __tablename__ = "totp_secret"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id", ondelete="CASCADE"),
                        nullable=False, unique=True)
    secret = db.Column(db.String(64), nullable=False)
    last_step = db.Column(db.BigInteger, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)


class RecoveryCode(db.Model):
    """A single-use code for when the authenticator is lost; only its SHA-256 is stored (the
    codes are random, 50 bits each, so a slow hash adds nothing)."""

    __tablename__ = "recovery_code"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    code_hash = db.Column(db.String(64), nullable=False)
    used_at = db.Column(UTCDateTime, nullable=True)
