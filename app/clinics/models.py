from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


class Clinic(db.Model):
    """A clinic: the unit of tenancy. Every patient and staff member belongs to exactly one."""

    __tablename__ = "clinic"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)
    timezone = db.Column(db.String(64), nullable=False, default="America/New_York")
    phone = db.Column(db.String(40), nullable=False, default="")
    # Clinical settings that differ from the defaults in app/clinics/settings.py.
    settings = db.Column(db.JSON, nullable=False, default=dict)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)

    def __repr__(self) -> str:
        return f"<Clinic {self.id}>"
