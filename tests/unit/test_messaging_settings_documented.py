"""Every setting issue 16 added is named in docs/CONFIGURATION.md (the configuration table
the README points to)."""

from pathlib import Path

from app.config import MESSAGING_SETTINGS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "CONFIGURATION.md"
ALSO = ("SMTP_PORT", "PUSH_RECENT_DELIVERY", "SIGN_IN_LINK_LIFETIME", "SIGN_IN_LINK_RATE_LIMIT",
        "SMS_TIMEOUT_SECONDS", "SMTP_TIMEOUT_SECONDS")


def test_every_messaging_setting_is_documented():
    text = DOCS.read_text()
    missing = [name for name in (*MESSAGING_SETTINGS, *ALSO) if f"`{name}`" not in text
               and name not in text]
    assert missing == []
