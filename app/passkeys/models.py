"""Passkeys (WebAuthn credentials): several per person, each with a name they chose."""

from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


class Passkey(db.Model):
    __tablename__ = "passkey"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    # The authenticator's credential id (base64url), unique across every clinic.
    credential_id = db.Column(db.String(1400), nullable=False, unique=True)
    public_key = db.Column(db.LargeBinary, nullable=False)
    sign_count = db.Column(db.BigInteger, nullable=False, default=0)
    name = db.Column(db.String(60), nullable=False)
    transports = db.Column(db.JSON, nullable=False, default=list)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    last_used_at = db.Column(UTCDateTime, nullable=True)
