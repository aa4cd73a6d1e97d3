"""What makes Aftercare installable and usable offline: manifest, service worker, icons, and
the offline check-in page. None of these responses carries health data, so they may be cached.
"""

import hashlib

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.globals import request_ctx
from flask_babel import force_locale

from app.checkins import catalog
from app.i18n import LANGUAGES, catalog_version
from app.pwa import icons, script_words
from app.pwa.assets import SHELL, shell_version

bp = Blueprint("pwa", __name__, template_folder="templates")
ICON_SIZES = (192, 512)
YEAR = 365 * 24 * 3600


def _cacheable(response: Response, seconds: int) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    icon = [{"src": url_for("pwa.icon", name=f"icon-{size}"), "sizes": f"{size}x{size}",
             "type": "image/png", "purpose": "any"} for size in ICON_SIZES]
    icon.append({"src": url_for("pwa.icon", name="maskable-512"), "sizes": "512x512",
                 "type": "image/png", "purpose": "maskable"})
    response = jsonify({
        "id": "/", "name": "Aftercare", "short_name": "Aftercare",
        "description": "Check in after your infusion in under 30 seconds.",
        "start_url": "/", "scope": "/", "display": "standalone", "orientation": "portrait",
        "theme_color": "#0b4f8a", "background_color": "#ffffff", "icons": icon,
    })
    response.mimetype = "application/manifest+json"
    return _cacheable(response, 3600)


@bp.get("/icons/<name>.png")
def icon(name: str):
    sizes = {f"icon-{s}": (s, False) for s in (*ICON_SIZES, 180)} | {
        "maskable-512": (512, True)}
    if name not in sizes:
        abort(404)
    size, maskable = sizes[name]
    return _cacheable(Response(icons.png(size, maskable=maskable), mimetype="image/png"), 86400)


@bp.get("/icon.svg")
def icon_svg():
    return _cacheable(Response(icons.svg(), mimetype="image/svg+xml"), 86400)


@bp.get("/sw.js")
def service_worker():
    """Served from the root so its scope is the whole app; never cached, so updates arrive."""
    icon_url = url_for("pwa.icon", name="icon-192")
    shell = [url_for("static", filename=name) for name in SHELL] + [
        icon_url, url_for("pwa.icon_svg")]
    # Kept per language, for the patient's only: its offline page and its words script.
    offline = {code: [url_for("pwa.offline", language=code)] for code in LANGUAGES}
    for code in script_words.TRANSLATED:
        offline[code].append(script_words.script_url(code))
    # A new catalog (the offline page's words and the scripts') is a new cache: the worker is
    # installed again and draws the offline page again.
    version = hashlib.sha256(" ".join([shell_version(current_app), catalog_version(), *(
        url for urls in offline.values() for url in urls)]).encode()).hexdigest()[:12]
    body = render_template("pwa/sw.js", version=version, shell=shell,
                           offline=offline, icon_url=icon_url, words=script_words.for_worker(),
                           outbox_url=url_for("static", filename="pwa/outbox.js"))
    response = Response(body, mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get(f"/pwa/words/<any({', '.join(script_words.TRANSLATED)}):language>.js")
def words(language: str):
    """The scripts' words in a language (app/pwa/script_words.py): linked with ?v=<its hash>,
    so cached for a year; the same for everyone (no session, no cookie). Another version's
    address (a page from an older or newer server) is sent to this one's, so no cache keeps
    these words under a version they are not."""
    request_ctx._session = current_app.session_interface.make_null_session(current_app)
    if request.args.get("v") != script_words.version(language):
        return _cacheable(redirect(script_words.script_url(language)), 0)
    response = Response(script_words.script(language), mimetype="application/javascript")
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


@bp.get("/offline", defaults={"language": None})
@bp.get(f"/offline/<any({', '.join(LANGUAGES)}):language>")
def offline(language: str | None):
    """The check-in form as the phone shows it without a connection. Served ``public`` and
    precached by the service worker, so it is the same page for everyone: no CSRF token, no
    navigation, no flash message, and the session is neither read nor refreshed (no
    Set-Cookie, no Vary: Cookie). The outbox script fetches a token before sending.
    ``/offline/<language>`` is the page in that language (the service worker stores one per
    language and shows the patient's); ``/offline`` is in the browser's (Vary: Accept-Language)."""
    # Flask keeps the opened session here and saves (refreshes) it after the view unless it is
    # a null session: this response must carry no cookie of anyone's.
    request_ctx._session = current_app.session_interface.make_null_session(current_app)
    if language is None:
        page = render_template("pwa/offline.html", catalog=catalog, public_page=True)
    else:
        with force_locale(language):
            page = render_template("pwa/offline.html", catalog=catalog, public_page=True)
    return _cacheable(Response(page), 0)
