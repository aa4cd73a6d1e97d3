"""Hostile text for the property tests and the fuzzer (issue 12, point 11): what a
penetration test sent that reached a 500. Hypothesis's ``st.text()`` never generates these by
default (it leaves out surrogates and its numbers are short)."""

from hypothesis import strategies as st

LONE_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
# Text with a lone surrogate somewhere in it (a JSON "\ud800" decodes to exactly this).
with_lone_surrogate = st.builds(lambda before, lone, after: before + lone + after,
                                st.text(max_size=8), LONE_SURROGATES, st.text(max_size=8))
# Numbers as text past Python's 4,300-digit limit for int(), and just around it.
huge_digits = st.integers(4000, 6000).map(lambda n: "9" * n) | st.sampled_from(
    ["1" * 4300, "1" * 4301, "0" * 5000, "2, " + "7" * 5000])
# Names that look like time zones but are folders, paths or nonsense to ZoneInfo.
zone_like = st.sampled_from(["America", "America/", "Europe", "/etc/passwd", "../../etc",
                             "America/../Europe/Paris", "posixrules", "a" * 300, "UTC/",
                             "America//Chicago", "."]) | st.text(max_size=20)
hostile_text = (st.text(max_size=20) | with_lone_surrogate | huge_digits | zone_like
                | st.text(st.characters(), max_size=20))

# --- push endpoints (issue 12, point 1) ---------------------------------------------------
# The allow-listed push services, as real endpoints name them.
PUSH_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com",
              "wns2-par02p.notify.windows.com")
_url_tail = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:/",
                    max_size=24) | with_lone_surrogate
# Each form names an allow-listed host somewhere, yet the sender would connect elsewhere, or
# it is spelled in a way a real push service never gives out: every one must be refused.
HOSTILE_ENDPOINT_FORMS = (
    "https://127.0.0.1\\@{host}/{tail}", "https://{host}\\@127.0.0.1/{tail}",
    "https://127.0.0.1:443\\{host}/{tail}", "https:\\\\{host}/{tail}",
    "https://{host}@127.0.0.1/{tail}", "https://127.0.0.1@{host}/{tail}",
    "https://user:pass@{host}/{tail}", "https://{host}:443@127.0.0.1/{tail}",
    "https://{host}%40127.0.0.1/{tail}", "https://127.0.0.1%40{host}/{tail}",
    "https://{host}%2e/{tail}", "https://%77{host}/{tail}",
    "https://{host}:444/{tail}", "https://{host}:80/{tail}", "https://{host}:8443/{tail}",
    "https://{host}:99999/{tail}", "https://{host}:+443/{tail}", "https://{host}:443:443/{tail}",
    "http://{host}/{tail}", "//{host}/{tail}", "{host}/{tail}", "https:/{host}/{tail}",
    "ftp://{host}/{tail}", "https://{host}./{tail}", "https://{host}.evil.example/{tail}",
    "https://{host}evil.example/{tail}", "https://{host}\t/{tail}", "https://{host} /{tail}",
    "https://{host}\r\nHost: 127.0.0.1/{tail}", "https://{host}\x00/{tail}",
    "https://{host}#@127.0.0.1/{tail}", "https://{host}/{tail}\u2028",
    "https://\uff46\uff43\uff4d.googleapis.com/{tail}",
    "https://127.0.0.1/{tail}#{host}", "https://2130706433/{tail}#{host}",
    "https://0x7f.1/{tail}?{host}", "https://0177.0.0.1/{tail}?{host}",
    "https://127.1/{tail}?{host}", "https://[::1]/{tail}?{host}",
    "https://[::ffff:127.0.0.1]/{tail}?{host}", "https://[fe80::1%25eth0]/{tail}?{host}",
    "https://169.254.169.254/{tail}?{host}", "https://localhost/{tail}?{host}",
)
hostile_endpoints = st.builds(lambda form, host, tail: form.format(host=host, tail=tail),
                              st.sampled_from(HOSTILE_ENDPOINT_FORMS), st.sampled_from(PUSH_HOSTS),
                              _url_tail)
# Endpoints assembled from pieces, legitimate or not, for the property that whatever the check
# accepts is exactly where the sender connects.
endpoint_like = st.builds(
    lambda scheme, userinfo, host, port, separator, tail: (
        f"{scheme}{userinfo}{host}{port}{separator}{tail}"),
    st.sampled_from(["https://", "http://", "HTTPS://", "https:/", "https:\\\\", "//", ""]),
    st.sampled_from(["", "", "", "a@", "127.0.0.1@", "fcm.googleapis.com@", "x:y@", "@"]),
    st.sampled_from([*PUSH_HOSTS, "127.0.0.1", "2130706433", "0x7f.1", "[::1]",
                     "fcm.googleapis.com.", "fcm.googleapis.com%2e", "evil.example",
                     "push.apple.com.evil.example", "127.0.0.1\\@fcm.googleapis.com",
                     "FCM.GoogleAPIs.com", "a.b.push.apple.com"]),
    st.sampled_from(["", "", ":443", ":0443", ":", ":444", ":80", ":99999", ":x"]),
    st.sampled_from(["/", "/", "\\", "#", "?", "%2f", "@", "/@127.0.0.1/", ""]),
    _url_tail | st.text(max_size=12))
