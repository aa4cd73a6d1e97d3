"""Versioned static URLs: every static file is linked with ?v=<content hash>, so it can be
cached for a year and a new release is fetched at once. The hashes are computed on first use
and kept for the life of the process (files do not change while it runs)."""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask

# The patient app's scripts, in the order every page loads them (base.html): the outbox,
# what the others share, one file per concern, and app.js last (it locks the forms no earlier
# script handled).
SCRIPTS = ("pwa/outbox.js", "pwa/core.js", "pwa/checkin.js", "pwa/receipts.js",
           "pwa/reminders.js", "pwa/passkeys.js", "pwa/app.js")
# The app shell the service worker precaches: no page or response with health data.
SHELL = ("pwa/app.css", *SCRIPTS)


@lru_cache(maxsize=256)
def file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def register(app: Flask) -> None:
    static_folder = Path(app.static_folder)
    app.jinja_env.globals["pwa_scripts"] = SCRIPTS
    from app.pwa import script_words  # it reads SCRIPTS from here

    app.jinja_env.globals["script_words"] = script_words.for_page

    @app.url_defaults
    def version_static(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            target = static_folder / values["filename"]
            if target.is_file():
                values["v"] = file_hash(str(target))


def shell_version(app: Flask) -> str:
    """Changes whenever any shell file changes: the service worker's cache name."""
    static_folder = Path(app.static_folder)
    joined = "".join(file_hash(str(static_folder / name)) for name in SHELL)
    return hashlib.sha256(joined.encode()).hexdigest()[:12]
