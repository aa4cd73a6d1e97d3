"""Languages (issue 19): Flask-Babel, the locale of each request, and the catalogs.

A signed-in person's ``language`` decides; before sign-in the browser's Accept-Language does
(the best match of the languages below). The Spanish catalog is the ``.po`` file in
``app/translations``, compiled in memory when the app is made (no ``.mo`` files).
"""

import hashlib
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request
from flask_babel import Babel, Domain, get_locale, gettext
from flask_login import current_user

LANGUAGES = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
TRANSLATIONS = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (at display time)."""
    return message


def select_locale() -> str:
    user = current_user if _has_user() else None
    if user is not None and user.is_authenticated and user.language in LANGUAGES:
        return user.language
    if not request:
        return "en"
    g.language_from_browser = True  # this response depends on Accept-Language: it says so
    return request.accept_languages.best_match(LANGUAGES, default="en")


def _has_user() -> bool:
    try:
        return bool(request) and current_user is not None
    except RuntimeError:
        return False


def language() -> str:
    """The language of this request: "en" or "es"."""
    return str(get_locale() or "en")


class PoDomain(Domain):
    """Translations read from the ``.po`` files when the app is made: nothing compiled to
    commit or forget (a fresh clone works with ``make run``), nothing written at start."""

    def __init__(self) -> None:
        super().__init__(domain="messages")
        self.catalogs = _catalogs()

    def get_translations(self):
        return self.catalogs.get(language(), support.NullTranslations())


@cache
def catalog_version() -> str:
    """A digest of the catalogs (they do not change while the app runs): the service worker's
    cache is renewed when a translation changes."""
    digest = hashlib.sha256()
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        digest.update(po.read_bytes())
    return digest.hexdigest()[:12]


@cache
def _catalogs() -> dict[str, support.Translations]:
    """Language -> its compiled catalog, compiled once per process: the catalogs do not change
    while the app runs, and each app made (a test makes one per test) shares them read-only."""
    return {po.parent.parent.name: _from_po(po)
            for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}


def _from_po(po: Path) -> support.Translations:
    with po.open("rb") as source:
        catalog = read_po(source)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return support.Translations(compiled)


def register(app: Flask) -> None:
    babel = Babel(app, locale_selector=select_locale)
    babel.domain_instance = PoDomain()
    # A message made elsewhere (a flash, an error page's words) in the page's language; a
    # plain string, so the page still escapes it (``_()`` in a template marks its result safe).
    app.add_template_filter(gettext, "translate")
    app.add_template_global(language, "language")
    app.add_template_global(LANGUAGE_NAMES, "LANGUAGE_NAMES")
    app.after_request(vary_by_browser_language)


def vary_by_browser_language(response):
    """A page whose language came from Accept-Language (nobody signed in) says so in Vary,
    so no shared cache hands it to a browser asking for another language. A signed-in
    person's language comes with their session (Vary: Cookie, app/security.py)."""
    if g.get("language_from_browser"):
        response.vary.add("Accept-Language")
    return response
