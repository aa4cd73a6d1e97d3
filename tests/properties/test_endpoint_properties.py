"""Properties of the push endpoint check (issue 12, point 1): every hostile spelling is
refused, and whatever it accepts is exactly where the sender (requests/urllib3) would connect:
an allow-listed push service over https on port 443."""

import requests
from hypothesis import HealthCheck, given, settings
from urllib3.util import parse_url

from app.config import Defaults
from app.notifications.endpoints import allowed_endpoint
from tests.properties.strategies import endpoint_like, hostile_endpoints

HOSTS = Defaults.PUSH_ENDPOINT_HOSTS
SUITE_HOSTS = ("127.0.0.1",)  # the suite's own setting, with PUSH_ALLOW_HTTP
FAST = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def sender_target(url: str) -> dict:
    """Where requests opens the connection for a POST to ``url``: the adapter's own
    (scheme, host, port) for its connection pool."""
    prepared = requests.Request("POST", url).prepare()
    adapter = requests.Session().get_adapter(prepared.url)
    target, _ = adapter.build_connection_pool_key_attributes(prepared, verify=True)
    assert parse_url(prepared.url).host == target["host"]  # and urllib3 reads it alike
    return target


@FAST
@given(endpoint=hostile_endpoints)
def test_every_hostile_endpoint_is_refused_with_a_reason(endpoint):
    for hosts, allow_http in ((HOSTS, False), (SUITE_HOSTS, True)):
        reason = allowed_endpoint(endpoint, hosts, allow_http)
        assert isinstance(reason, str) and reason.endswith("."), endpoint


@FAST
@given(endpoint=endpoint_like)
def test_an_accepted_endpoint_is_where_the_sender_connects(endpoint):
    if allowed_endpoint(endpoint, HOSTS, False) is not None:
        return
    target = sender_target(endpoint)
    assert target["scheme"] == "https"
    assert target["port"] in (None, 443)
    host = target["host"]
    assert any(host == allowed or host.endswith("." + allowed) for allowed in HOSTS), endpoint


def test_the_grammar_does_produce_accepted_endpoints():
    """The property above is not vacuous: the pieces do assemble into real endpoints."""
    accepted = [url for url in ("https://fcm.googleapis.com:443/x", "HTTPS://a.b.push.apple.com/",
                                "https://web.push.apple.com/abc")
                if allowed_endpoint(url, HOSTS, False) is None]

    assert len(accepted) == 3
