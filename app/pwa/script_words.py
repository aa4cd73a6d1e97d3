"""The scripts' words in the patient's language (issue 19).

The PWA's scripts mark what they show with ``t("English text", {name: value})`` (and the
outbox's stored words with ``N_``); babel's javascript extractor puts those messages in the
same catalog as the pages' (babel.cfg, tools/update_catalog.py). A page in another language
than English loads, before the app's scripts, a small script of their translations
(``/pwa/words/<language>.js?v=<hash>``: from this server, so the CSP's script-src 'self'
stands; compressed and cached for a year, unlike the page, whose HTML is never compressed);
an English page loads nothing more. The service worker, which cannot read a page, carries its
own words in its source (sw.js) and keeps the patient's language's words script and offline
page for when there is no network.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from babel.messages.extract import extract
from flask import current_app, url_for
from flask_babel import force_locale, gettext

from app.i18n import LANGUAGES, language
from app.pwa.assets import SCRIPTS

KEYWORDS = {"t": None, "N_": None}
WORKER = Path(__file__).parent / "templates" / "pwa" / "sw.js"
TRANSLATED = tuple(code for code in LANGUAGES if code != "en")


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


def translated(ids: tuple[str, ...], code: str) -> dict[str, str]:
    """{English: that language} for those the catalog translates."""
    with force_locale(code):
        return {message: said for message in ids if (said := gettext(message)) != message}


def script(code: str) -> str:
    """The words script of a language: the same bytes for the life of the process."""
    kept = current_app.extensions.setdefault("script_words", {})
    if code not in kept:
        words = json.dumps(translated(page_messages(), code), ensure_ascii=False,
                           sort_keys=True)
        kept[code] = f"// The scripts' words in this language (app/pwa/script_words.py).\n" \
                     f"window.AftercareWords = {words};\n"
    return kept[code]


def version(code: str) -> str:
    return hashlib.sha256(script(code).encode()).hexdigest()[:12]


def script_url(code: str) -> str:
    return url_for("pwa.words", language=code, v=version(code))


def for_page() -> str | None:
    """The words script this page loads first; None on an English page."""
    code = language()
    return script_url(code) if code in TRANSLATED else None


def for_worker() -> dict[str, dict[str, str]]:
    """Every language's words for the service worker (it picks the patient's at run time)."""
    return {code: translated(messages(WORKER), code) for code in TRANSLATED}
