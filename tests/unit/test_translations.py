"""The Spanish catalog is complete (issue 19, point 6): every message translated, none fuzzy,
the same placeholders; and an extraction run over the app finds no message the catalog lacks
(a string marked in a template or in Python but not yet in ``messages.po``)."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "app" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python"),
           ("static/pwa/**.js", "javascript"), ("pwa/templates/pwa/sw.js", "javascript")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "lazy_gettext": None,
            "t": None}  # t: the PWA's scripts (app/pwa/script_words.py)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalog():
    with PO.open("rb") as source:
        return read_po(source)


def _ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, tuple | list) else (
        message.string,)


def test_every_message_has_a_spanish_translation_and_none_is_fuzzy():
    untranslated = [m.id for m in _catalog() if m.id and not all(s.strip() for s in _strings(m))]
    fuzzy = [m.id for m in _catalog() if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_every_placeholder():
    for message in _catalog():
        if not message.id:
            continue
        wanted = set(PLACEHOLDER.findall(_ids(message)[-1]))
        for string in _strings(message):
            assert set(PLACEHOLDER.findall(string)) == wanted, message.id


def test_an_extraction_run_finds_nothing_missing_from_the_catalog():
    known = {_ids(m)[0] for m in _catalog() if m.id}
    found = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "app"), METHODS, keywords=KEYWORDS):
        first = message[0] if isinstance(message, tuple) else message
        if first:
            found.setdefault(first, filename)
    missing = {message: where for message, where in found.items() if message not in known}
    assert missing == {}, "run tools/update_catalog.py and translate these"


def test_the_crisis_wording_has_988s_spanish_line():
    spanish = {m.id: m.string for m in _catalog() if m.id}
    assert spanish["988 Lifeline: call or text 988; for Spanish, press 2"] == (
        "988 Lifeline: llame o envíe un mensaje de texto al 988; para español, oprima 2")
