"""Chart.js, served from the installed ``chartkick`` wheel (its bundled Chart.bundle.js:
Chart.js 4 with the date-fns time adapter). Nothing is copied into the repository and no CDN
is involved: the file is read from site-packages, hashed, compressed once per process, and
served at a URL carrying its hash, cacheable for a year."""

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import brotli
import chartkick
from flask import Blueprint, Response, abort, request, url_for

bp = Blueprint("chart_assets", __name__)

ONE_YEAR = 365 * 24 * 3600


def bundle_path() -> Path:
    return Path(chartkick.__file__).parent / "django" / "static" / "chartkick" / "Chart.bundle.js"


@lru_cache(maxsize=1)
def _bundle() -> tuple[bytes, str]:
    content = bundle_path().read_bytes()
    return content, hashlib.sha256(content).hexdigest()[:12]


@lru_cache(maxsize=4)
def _encoded(encoding: str) -> bytes:
    content = _bundle()[0]
    if encoding == "br":
        return brotli.compress(content, quality=9)
    return gzip.compress(content, compresslevel=9, mtime=0)


def chart_js_url() -> str:
    return url_for("chart_assets.chart_js", version=_bundle()[1])


@bp.get("/assets/chart-<version>.js")
def chart_js(version: str):
    content, current = _bundle()
    if version != current:
        abort(404)
    accepted = request.accept_encodings
    encoding = next((e for e in ("br", "gzip") if accepted[e]), None)
    body = _encoded(encoding) if encoding else content
    response = Response(body, mimetype="text/javascript")
    if encoding:
        # Already compressed: Flask-Compress leaves responses with a Content-Encoding alone.
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
