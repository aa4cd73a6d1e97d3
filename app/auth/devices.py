"""A coarse, human label for a device ("Chrome on Android") from its User-Agent.

Only the label is stored with a session, never the full User-Agent string: the account page
needs enough to tell one's phone from one's laptop, and nothing more (a full UA is close to
a fingerprint).
"""

import re

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", iOS browsers say
# "Mac OS X", Android says "Linux".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(OPR|Opera)/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"(Chrome|Chromium|CriOS)/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Mac", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)
UNKNOWN = "Unknown device"


def device_label(user_agent: str | None) -> str:
    """"Firefox on Windows", "Safari on iPhone", ...; "Unknown device" when unrecognised."""
    agent = (user_agent or "")[:512]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or UNKNOWN
