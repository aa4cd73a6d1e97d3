"""gunicorn settings for Aftercare: ``gunicorn -c python:app.gunicorn_conf 'app.wsgi:app'``
(``gunicorn.conf.py`` at the project root loads this too, for a gunicorn started there).

gunicorn trusts ``X-Forwarded-Proto`` (and friends) from the addresses in
``forwarded_allow_ips``, which default to 127.0.0.1 and ::1: any local process, or a proxy that
passes the header through, could then make a plain-HTTP request look like HTTPS. The app alone
decides which proxies to trust (``TRUSTED_PROXY_COUNT``, werkzeug's ProxyFix in create_app), so
gunicorn trusts no one: no address is allowed, and no header sets the scheme.
Test: tests/web/test_gunicorn_proxy.py, with a real gunicorn.
"""

forwarded_allow_ips = ""
secure_scheme_headers: dict = {}
forwarder_headers = ""
