"""Response headers that every page gets: CSP, no caching of health data, and friends."""

from flask import Flask, current_app, render_template, request

from app.api.errors import error_response, is_api_request

# Sec-Fetch-Site values of a request another site set off (a link, an <img>, a form).
FROM_ANOTHER_SITE = {"cross-site", "same-site"}


def audited_read(view):
    """Marks a GET view that writes an audit event (a patient page, an export, a chart): another
    site cannot set it off, so the audit log only shows reads staff chose to make. Put it
    between the route decorator and the view."""
    view.audited_read = True
    return view


def refuse_audited_reads_from_other_sites():
    """Browsers say where a request came from in Sec-Fetch-Site: same-origin (a link in
    Aftercare), none (typed, bookmarked), cross-site or same-site (another site's link, image
    or form). Requests without the header (older browsers, scripts) are let through: where they
    came from cannot be told."""
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "audited_read", False):
        return None
    if request.headers.get("Sec-Fetch-Site", "").lower() not in FROM_ANOTHER_SITE:
        return None
    message = ("This page was opened from another website. Open it from Aftercare instead: "
               "patient records and exports are only shown when you ask for them here.")
    if is_api_request():
        return error_response(403, message)
    return render_template("errors/error.html", code=403, title="Opened from another site",
                           message=message), 403

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def register(app: Flask) -> None:
    app.before_request(refuse_audited_reads_from_other_sites)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: over HTTPS Flask-WTF checks that a POST's Referer is
        # this site; other sites still learn nothing.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            # Pages and API answers may hold health data: never stored by any cache. (The few
            # views that set their own policy serve no health data: manifest, icons, sw.js.)
            headers["Cache-Control"] = "no-store"
            headers.setdefault("Vary", "Cookie")
        return response
