"""Configuration: defaults here, then ``instance/config.py``, then environment variables.

Every environment variable read here is listed in docs/CONFIGURATION.md.
"""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"


class Defaults:
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # filled in by database_url()
    # hide_parameters: SQL errors in logs never show values (a note, a score) bound to them.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    MAX_CONTENT_LENGTH = 256 * 1024  # far above any check-in; larger bodies get 413
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "aftercare_session"
    # The signed cookie only carries a session id; expiry is enforced on the server row.
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session it is bound to
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "aftercare"  # several deployments may share one Redis
    # If the shared store (Redis) goes down, each web process counts on its own until it is
    # back, rather than failing sign-in and check-ins.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Sign-in attempts from a device where nobody signed in to that account before count per
    # client address and, separately, per email address; attempts from a device the account
    # has signed in on (a signed cookie) count only per that device, so a stranger's wrong
    # guesses never lock a clinician out of their own phone or workstation.
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    # Per client address, on /setup/<token> and /setup (guessing setup links).
    SETUP_RATE_LIMIT = "10 per minute;50 per hour"
    # Per signed-in patient, on check-in and PHQ-9 writes (form and API). Generous on purpose:
    # the PWA outbox replays saved entries one after another when the phone is back online,
    # and a week offline is at most a few dozen; a 429 leaves them waiting for the next drain.
    CHECKIN_RATE_LIMIT = "60 per minute;1000 per hour"
    # Per signed-in person, on saving a push subscription (a device saves one when reminders
    # are turned on; more is someone trying endpoints).
    PUSH_SUBSCRIPTION_RATE_LIMIT = "10 per minute;50 per hour"
    # Argon2id cost, as keyword arguments of argon2.PasswordHasher; None is argon2-cffi's
    # RFC 9106 low-memory profile (3 passes over 64 MiB). Only the test suite lowers it.
    PASSWORD_HASH_PARAMETERS = None
    CLINICIAN_IDLE_TIMEOUT = timedelta(minutes=15)
    CLINICIAN_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PATIENT_SESSION_LIFETIME = timedelta(days=30)
    SETUP_LINK_LIFETIME = timedelta(hours=72)
    # Opening a setup link spends it on a setup session in that browser, good for this long.
    SETUP_SESSION_LIFETIME = timedelta(minutes=30)
    # Between the right password and the second factor's code: after this, sign in again.
    SECOND_FACTOR_PENDING_LIFETIME = timedelta(minutes=5)
    # Passkeys: the WebAuthn RP ID (a host name, never an IP address) and the origin the
    # browser must report. None: the host and origin of the request (behind a proxy, set
    # TRUSTED_PROXY_COUNT so they are the public ones, or set these).
    WEBAUTHN_RP_ID = None
    WEBAUTHN_ORIGIN = None
    CHECKIN_MAX_CLOCK_SKEW = timedelta(minutes=5)
    CHECKIN_MAX_AGE = timedelta(days=7)
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Web Push
    VAPID_PRIVATE_KEY_PATH = None  # default: instance/vapid_private.pem
    VAPID_SUBJECT = "mailto:aftercare-admin@localhost"
    PUSH_TTL_SECONDS = 12 * 3600
    PUSH_TIMEOUT_SECONDS = 10.0
    PUSH_MAX_ATTEMPTS = 6
    # A claim is a lease: the sending run renews it every PUSH_LEASE_RENEW_EVERY while it works,
    # so the rows of a process that died are taken again once PUSH_LEASE has passed (by the
    # other process's next run, at most a minute later: about a minute in all).
    PUSH_LEASE = timedelta(seconds=30)
    PUSH_LEASE_RENEW_EVERY = timedelta(seconds=10)
    # One run of the send job (every minute) stops waiting for answers after this long; what
    # it has not sent by then is released for the next run, not counted as an attempt.
    PUSH_RUN_DEADLINE = timedelta(seconds=45)
    PUSH_SEND_WORKERS = 32  # pushes in flight at once (threads doing network I/O only)
    PUSH_CLAIM_BATCH = 200  # rows claimed at a time; a run claims again while batches are full
    # Subscriptions may only point at these push services (no requests to arbitrary hosts).
    PUSH_ENDPOINT_HOSTS = (
        "fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com",
        "push.services.mozilla.com", "push.apple.com", "notify.windows.com",
    )
    PUSH_ALLOW_HTTP = False  # tests deliver to a push service on http://127.0.0.1
    # Devices with reminders on per account; saving one more removes the least recently used.
    PUSH_SUBSCRIPTIONS_PER_ACCOUNT = 5
    # How long the page waits for the browser's push service, or for this server, when
    # reminders are turned on or off, before it says it could not reach them.
    REMINDER_TIMEOUT_SECONDS = 15
    # Texts and emails (docs/DELIVERY.md). "outbox" keeps them in the local_message table for
    # the demo (``flask messages`` shows them); "off" never offers the channel.
    PHONE_DEFAULT_REGION = "US"  # how a number typed without +country code is read
    SMS_BACKEND = "outbox"  # outbox, twilio, off
    TWILIO_API_BASE = "https://api.twilio.com"
    TWILIO_ACCOUNT_SID = ""
    TWILIO_AUTH_TOKEN = ""
    TWILIO_FROM_NUMBER = ""
    SMS_TIMEOUT_SECONDS = 10.0
    EMAIL_BACKEND = "outbox"  # outbox, smtp, off
    SMTP_HOST = "localhost"
    SMTP_PORT = 587
    SMTP_SECURITY = "starttls"  # starttls, tls (implicit, port 465), none (tests only)
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_TIMEOUT_SECONDS = 10.0
    SMTP_CA_FILE = ""  # certificates to trust beyond the system's (a private mail relay)
    EMAIL_FROM = "Aftercare <aftercare@localhost>"
    # Push is a patient's channel only while a subscription delivered (or was saved) this recently.
    PUSH_RECENT_DELIVERY = timedelta(days=30)
    SIGN_IN_LINK_LIFETIME = timedelta(minutes=15)
    # Per client address and per phone or email asked for, on "send me a sign-in link".
    SIGN_IN_LINK_RATE_LIMIT = "5 per minute;20 per hour"
    LOG_LEVEL = "INFO"
    # Static URLs carry ?v=<content hash> (app/pwa/assets.py): safe to cache for a year.
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600
    # HTML is deliberately not compressed: it carries the CSRF token next to text a user typed,
    # the pattern BREACH exploits. Everything else text-like is.
    COMPRESS_MIMETYPES = ["text/css", "application/javascript", "text/javascript",
                          "application/json", "application/manifest+json", "image/svg+xml"]
    COMPRESS_MIN_SIZE = 500
    TRUSTED_PROXY_COUNT = 0  # reverse proxies in front of the app whose X-Forwarded-* to trust
    CLOCK = None  # tests put a callable returning an aware UTC datetime here


def database_url(instance_path: Path) -> str:
    """DATABASE_URL, or SQLite in instance/. Plain postgres URLs get the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'aftercare.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


MESSAGING_SETTINGS = (
    "PHONE_DEFAULT_REGION", "SMS_BACKEND", "TWILIO_API_BASE", "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "EMAIL_BACKEND", "SMTP_HOST", "SMTP_SECURITY",
    "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_CA_FILE", "EMAIL_FROM",
)


def _env_bool(name: str) -> bool | None:
    value = os.environ.get(name)
    if value is None:
        return None
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: Path) -> dict:
    """Settings taken from environment variables (and the secret key file in instance/)."""
    settings: dict = {"SQLALCHEMY_DATABASE_URI": database_url(instance_path),
                      "VAPID_PRIVATE_KEY_PATH": str(instance_path / "vapid_private.pem")}
    secret = os.environ.get("SECRET_KEY")
    key_file = instance_path / "secret_key"
    if not secret and key_file.exists():
        secret = key_file.read_text().strip()
    if secret:
        settings["SECRET_KEY"] = secret
    for name in ("RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX", "PUBLIC_BASE_URL",
                 "LOG_LEVEL", "VAPID_SUBJECT", "VAPID_PRIVATE_KEY_PATH", "WEBAUTHN_RP_ID",
                 "WEBAUTHN_ORIGIN", *MESSAGING_SETTINGS):
        if os.environ.get(name):
            settings[name] = os.environ[name]
    if os.environ.get("SMTP_PORT"):
        settings["SMTP_PORT"] = int(os.environ["SMTP_PORT"])
    if os.environ.get("TRUSTED_PROXY_COUNT"):
        settings["TRUSTED_PROXY_COUNT"] = int(os.environ["TRUSTED_PROXY_COUNT"])
    secure = _env_bool("SESSION_COOKIE_SECURE")
    if secure is not None:
        settings["SESSION_COOKIE_SECURE"] = secure
    return settings


def public_base_url_unless_set(config, *explicit: dict) -> None:
    """``make run`` on another port (``PORT=5101``): the launcher (app/launch.py) tells the app
    where it serves in AFTERCARE_LOCAL_URL, and setup links and QR codes point there, unless one
    of the ``explicit`` sources (instance/config.py, the environment, create_app's dict) sets
    PUBLIC_BASE_URL itself."""
    local = os.environ.get("AFTERCARE_LOCAL_URL", "").strip()
    if local and not any("PUBLIC_BASE_URL" in source for source in explicit):
        config["PUBLIC_BASE_URL"] = local


def secure_cookie_unless_set(config, *explicit: dict) -> None:
    """Served over HTTPS (``PUBLIC_BASE_URL`` https://, from wherever it was set: the
    environment or instance/config.py), the session cookie is Secure, unless one of the
    ``explicit`` sources (instance/config.py, the environment, create_app's dict) sets
    SESSION_COOKIE_SECURE itself."""
    if any("SESSION_COOKIE_SECURE" in source for source in explicit):
        return
    if str(config.get("PUBLIC_BASE_URL", "")).startswith("https://"):
        config["SESSION_COOKIE_SECURE"] = True
