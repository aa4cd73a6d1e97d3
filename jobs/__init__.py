"""The jobs process (`python -m jobs`): one APScheduler BlockingScheduler, never the web app."""
