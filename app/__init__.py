"""Aftercare: post-infusion check-ins, follow-up and triage for ketamine clinics."""

import os
from pathlib import Path

from flask import Config, Flask

from app import config as app_config
from app import schema_words  # noqa: F401  (first: patient words for every schema's errors)


def create_app(config: dict | None = None) -> Flask:
    """Build the web app. Reads configuration; starts nothing, writes nothing."""
    instance_path = Path((config or {}).get("INSTANCE_PATH")
                         or os.environ.get("AFTERCARE_INSTANCE_PATH")
                         or app_config.DEFAULT_INSTANCE_PATH)
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=True)
    _configure(app, instance_path, config or {})
    app.logger.setLevel(app.config["LOG_LEVEL"])
    from app import logs
    logs.register()
    if app.config["TRUSTED_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from app.routing import BoundedIntConverter
    app.url_map.converters["int"] = BoundedIntConverter
    _init_extensions(app)
    _register_blueprints(app)

    from app import errors, i18n, security, templating, text_input
    from app.pwa import assets
    i18n.register(app)
    assets.register(app)
    errors.register(app)
    security.register(app)
    text_input.register(app)
    templating.register(app)

    from app.cli import register as register_cli
    register_cli(app)
    from app import database
    database.register_request_boundary(app)  # last: its hook must run first (see there)
    return app


def _configure(app: Flask, instance_path: Path, config: dict) -> None:
    """Defaults, then instance/config.py, then the environment, then the caller's config."""
    app.config.from_object(app_config.Defaults)
    instance_config = Config(str(instance_path))
    instance_config.from_pyfile("config.py", silent=True)
    app.config.update(instance_config)
    environment = app_config.from_environment(instance_path)
    app.config.update(environment)
    app.config.update(config)
    app_config.public_base_url_unless_set(app.config, instance_config, environment, config)
    app_config.secure_cookie_unless_set(app.config, instance_config, environment, config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: set the SECRET_KEY environment variable or "
                           "run `python -m app.bootstrap` to create instance/secret_key.")


def _init_extensions(app: Flask) -> None:
    from app import database
    from app.auth.access import load_request_user, unauthorized
    from app.extensions import compress, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.register_sqlite_pragmas()
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    login_manager.request_loader(load_request_user)
    login_manager.unauthorized_handler(unauthorized)


def _register_blueprints(app: Flask) -> None:
    from app.account.views import bp as account_bp
    from app.api.views import bp as api_bp
    from app.api.views import health_bp
    from app.audit.views import bp as audit_bp
    from app.auth.link_views import bp as login_links_bp
    from app.auth.views import bp as auth_bp
    from app.checkins.views import api as checkins_api
    from app.checkins.views import bp as checkins_bp
    from app.clinics.views import bp as clinics_bp
    from app.dashboard.views import bp as dashboard_bp
    from app.exports.views import bp as exports_bp
    from app.flags.views import bp as flags_bp
    from app.infusions.views import bp as infusions_bp
    from app.mfa.views import bp as mfa_bp
    from app.monitoring.views import bp as monitoring_bp
    from app.notifications.messaging_views import bp as messaging_bp
    from app.notifications.reach_views import bp as reach_bp
    from app.notifications.views import api as notifications_api
    from app.passkeys.views import bp as passkeys_bp
    from app.patients.views import bp as patients_bp
    from app.phq9.views import api as phq9_api
    from app.phq9.views import bp as phq9_bp
    from app.progress.views import bp as progress_bp
    from app.pwa.views import bp as pwa_bp
    from app.trends.assets import bp as chart_assets_bp
    from app.trends.views import api as trends_api
    from app.trends.views import bp as trends_bp

    for blueprint in (auth_bp, checkins_bp, checkins_api, clinics_bp, dashboard_bp,
                      infusions_bp, patients_bp, notifications_api, flags_bp, phq9_bp,
                      phq9_api, pwa_bp, api_bp, health_bp, trends_bp, trends_api, exports_bp,
                      audit_bp, progress_bp, chart_assets_bp, account_bp, mfa_bp,
                      passkeys_bp, messaging_bp, login_links_bp, reach_bp,
                      monitoring_bp):
        app.register_blueprint(blueprint)
