"""Loaded by gunicorn when started from the project root: the settings in app/gunicorn_conf.py."""

from app.gunicorn_conf import *  # noqa: F403
