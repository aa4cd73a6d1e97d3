"""The scripts' words in the patient's language (issue 19).

The PWA's scripts mark what they show with ``t("English text", {name: value})`` (and the
outbox's stored words with ``N_``); babel's javascript extractor puts those messages in the
same catalog as the pages' (babel.cfg, tools/update_catalog.py). A page in another language
than English hands its scripts their translations in a JSON data block (base.html; not
executable, so the CSP's script-src 'self' stands), holding only the scripts' messages; the
service worker, which cannot read a page, gets its own in its source (sw.js).
"""

from functools import cache
from pathlib import Path

from babel.messages.extract import extract
from flask import current_app
from flask_babel import force_locale, gettext

from app.i18n import LANGUAGES, language
from app.pwa.assets import SCRIPTS

KEYWORDS = {"t": None, "N_": None}
WORKER = Path(__file__).parent / "templates" / "pwa" / "sw.js"


@cache
def messages(path: Path) -> tuple[str, ...]:
    """The messages a script marks, in order, each once (files do not change while it runs)."""
    with path.open("rb") as source:
        found = [message for _line, message, _comments, _context in
                 extract("javascript", source, keywords=KEYWORDS) if message]
    return tuple(dict.fromkeys(found))


def page_messages() -> tuple[str, ...]:
    folder = Path(current_app.static_folder)
    return tuple(dict.fromkeys(m for name in SCRIPTS for m in messages(folder / name)))


def translated(ids: tuple[str, ...]) -> dict[str, str]:
    """{English: this request's language} for those the catalog translates."""
    return {message: said for message in ids if (said := gettext(message)) != message}


def for_page() -> dict[str, str] | None:
    """The data block's contents; None on an English page (the scripts' words are English)."""
    if language() == "en":
        return None
    return translated(page_messages())


def for_worker() -> dict[str, dict[str, str]]:
    """Every language's words for the service worker (it picks the patient's at run time)."""
    words = {}
    for code in LANGUAGES:
        if code != "en":
            with force_locale(code):
                words[code] = translated(messages(WORKER))
    return words
