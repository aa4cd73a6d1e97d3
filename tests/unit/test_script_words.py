"""Every word the PWA's scripts show is translatable, and translated (issue 19).

The rule, over each script's string literals (comments left out), app/static/pwa/*.js and the
service worker's source (app/pwa/templates/pwa/sw.js):

- *prose*: a literal of two words or more (letters, a space, letters) is a message, so it is
  the first argument of ``t(...)`` (or of ``N_(...)``, for words stored and translated when
  shown). The few that are not for people (a CSS selector list, a media query, an error
  meant for a developer) are in NOT_FOR_PEOPLE, each with its reason;
- *shown*: whatever its length, a literal with a letter in it may not go straight where
  people read it: assigned to textContent / innerText / innerHTML / title / placeholder /
  alt / ariaLabel, set as an aria-label / title / placeholder / alt attribute, passed to a
  status helper (``status``, ``say``) or to ``alert`` / ``confirm`` / ``prompt``, or given
  as a notification's ``title`` / ``body`` (the brand, "Aftercare", is the same in every
  language).

Then every marked message is in the Spanish catalog and translated, and the page's and the
service worker's lookups hand over each of them.
"""

import re
import warnings
from pathlib import Path

import pytest
from babel.messages.jslexer import tokenize, unquote_string

from tests.unit.test_translations import _catalog

APP = Path(__file__).resolve().parents[2] / "app"
SCRIPTS = sorted((APP / "static" / "pwa").glob("*.js")) + [
    APP / "pwa" / "templates" / "pwa" / "sw.js"]
MARKERS = {"t", "N_"}
PROSE = re.compile(r"[A-Za-z]{2,}[^\sA-Za-z]*\s+[^\sA-Za-z]*[A-Za-z]{2,}")
SHOWN_PROPERTIES = {"textContent", "innerText", "innerHTML", "title", "placeholder", "alt",
                    "ariaLabel"}
SHOWN_ATTRIBUTES = {"aria-label", "aria-description", "title", "placeholder", "alt"}
SHOWN_CALLS = {"status", "say", "alert", "confirm", "prompt"}
SHOWN_KEYS = {"title", "body"}  # a notification's
SAME_IN_EVERY_LANGUAGE = {"Aftercare"}
DIRECTIVES = {"use strict"}
NOT_FOR_PEOPLE = {
    ("checkin.js", "input, textarea, button[type=submit]"): "a CSS selector list",
    ("receipts.js", "main section.crisis"): "a CSS selector",
    ("reminders.js", "(display-mode: standalone)"): "a media query",
    ("outbox.js", "an entry must say whose it is"): "a programming error, never shown",
    ("receipts.js", "not shown"): "thrown to the catch that opens the check-in's page instead",
    ("reminders.js", "not saved"): "thrown to failed(), which shows its own words",
    ("reminders.js", "not removed"): "thrown to failed(), which shows its own words",
}


def _tokens(source: str):
    """Babel's own lexer (its extractor's), each string literal's value in ``text``."""
    with warnings.catch_warnings():  # babel calls these helpers internal, but they are its own
        warnings.simplefilter("ignore", DeprecationWarning)
        return [(token, unquote_string(token.value) if token.type == "string" else
                 token.value[1:-1] if token.type == "template_string" else None)
                for token in tokenize(source, dotted=False, template_string=True)
                if token.type not in ("linecomment", "multilinecomment")]


def _marked(tokens, at: int) -> bool:
    return at >= 2 and tokens[at - 1][0].value == "(" and tokens[at - 2][0].type == "name" \
        and tokens[at - 2][0].value in MARKERS


def _shown_here(tokens, at: int) -> bool:
    """The literal at ``at`` goes straight where people read it."""
    before = [""] * 4 + [token.value for token, _text in tokens[max(0, at - 4):at]]
    if before[-1] == "=" and before[-3] == "." and before[-2] in SHOWN_PROPERTIES:
        return True
    if before[-1] == "(" and before[-2] in SHOWN_CALLS:
        return True
    if before[-1] == "," and before[-3] == "(" and before[-4] == "setAttribute":
        return tokens[at - 2][1] in SHOWN_ATTRIBUTES
    return before[-1] == ":" and before[-2] in SHOWN_KEYS


def unmarked_words(source: str, name: str) -> list[str]:
    """What in ``source`` (a script called ``name``) people would read untranslated."""
    tokens = _tokens(source)
    found = []
    for at, (token, text) in enumerate(tokens):
        if text is None or not re.search("[A-Za-z]", text) or _marked(tokens, at):
            continue
        if (name, text) in NOT_FOR_PEOPLE or text in SAME_IN_EVERY_LANGUAGE | DIRECTIVES:
            continue
        if PROSE.search(text) or _shown_here(tokens, at):
            found.append(f"{name}:{token.lineno}: {text!r}")
    return found


def marked_messages(source: str) -> list[str]:
    tokens = _tokens(source)
    return [text for at, (_token, text) in enumerate(tokens)
            if text is not None and _marked(tokens, at)]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_every_word_a_script_shows_is_marked_for_translation(script):
    assert unmarked_words(script.read_text(), script.name) == []


def test_the_rule_finds_each_kind_of_gap():
    source = """
      var STATES = { on: "Reminders are on on this device." };  // prose in a table
      box.textContent = "Copied";                              // one word, shown
      A.status("Sent. Thank you.");                           // to the status helper
      button.setAttribute("aria-label", "Close");              // an accessible name
      showNotification("x", { title: "Reminder", body: "Time for your check-in" });
      say(`Try again`);                                        // a template literal
      var fine = [t("Sent. Thank you."), N_("The server refused it."), "aria-busy", ""];
      form.querySelector("button[type=submit]").dataset.state = "on";  // not words
    """
    found = unmarked_words(source, "sample.js")
    assert [line.split(": ", 1)[1] for line in found] == [
        "'Reminders are on on this device.'", "'Copied'", "'Sent. Thank you.'", "'Close'",
        "'Reminder'", "'Time for your check-in'", "'Try again'"]


def test_the_allowed_literals_are_still_in_their_scripts():
    """An allowance left behind after its literal went would hide nothing, but mislead."""
    sources = {path.name: path.read_text() for path in SCRIPTS}
    for name, text in NOT_FOR_PEOPLE:
        assert text in sources[name], (name, text)


def test_every_message_the_scripts_mark_is_in_the_catalog_and_translated():
    spanish = {m.id: m.string for m in _catalog() if m.id}
    marked = {message for path in SCRIPTS for message in marked_messages(path.read_text())}
    assert len(marked) > 30  # the rule above found the scripts' words
    assert sorted(message for message in marked if not spanish.get(message, "").strip()) == []


def test_the_lookups_hand_over_every_marked_message(app):
    from flask_babel import force_locale

    from app.pwa import script_words

    page_scripts = [path for path in SCRIPTS if path.suffix == ".js" and path.parent.name == "pwa"
                    and path.name != "sw.js"]
    on_pages = {m for path in page_scripts for m in marked_messages(path.read_text())}
    in_worker = set(marked_messages(SCRIPTS[-1].read_text()))
    with app.test_request_context("/"):
        assert set(script_words.page_messages()) == on_pages
        assert set(script_words.translated(script_words.page_messages(), "es")) == on_pages
        assert set(script_words.for_worker()["es"]) == in_worker == {"Time for your check-in"}
        assert script_words.for_page() is None  # English: nothing more to load
        with force_locale("es"):
            assert script_words.for_page().startswith("/pwa/words/es.js?v=")
