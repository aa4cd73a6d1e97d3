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
