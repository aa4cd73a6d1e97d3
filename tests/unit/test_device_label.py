"""The coarse device label stored with a session instead of the full User-Agent."""

import pytest

from app.auth.devices import UNKNOWN, device_label

AGENTS = {
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36": "Chrome on Android",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1": "Safari on iPhone",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1": "Chrome on iPhone",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0":
        "Firefox on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80": "Edge on Windows",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15": "Safari on Mac",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36": "Samsung Internet on Android",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/124.0.0.0 Safari/537.36": "Chrome on Linux",
}


@pytest.mark.parametrize(("agent", "label"), AGENTS.items())
def test_known_browsers_get_a_short_label(agent, label):
    assert device_label(agent) == label


@pytest.mark.parametrize("agent", [None, "", "curl/8.5.0", "Werkzeug/3.1"])
def test_anything_else_is_an_unknown_device(agent):
    assert device_label(agent) == UNKNOWN


def test_the_label_never_carries_versions_or_models():
    for agent in AGENTS:
        label = device_label(agent)
        assert not any(ch.isdigit() for ch in label)
        assert "Pixel" not in label and "SM-S918B" not in label
