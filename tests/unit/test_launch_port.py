"""``PORT=5101 make run``: setup links and QR codes point at the port the launcher serves on,
unless PUBLIC_BASE_URL is set (issue 15, point 13)."""

import sys

import pytest

from app import create_app, launch
from app.auth.setup_links import setup_url


@pytest.fixture
def clean_environment(monkeypatch):
    for name in ("PUBLIC_BASE_URL", "AFTERCARE_LOCAL_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _app(tmp_path, **config):
    return create_app({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", **config})


@pytest.mark.parametrize(("host", "port", "url"), [
    ("127.0.0.1", 5101, "http://127.0.0.1:5101"),
    ("0.0.0.0", 5101, "http://127.0.0.1:5101"),  # noqa: S104  (every interface)
    ("::", 8080, "http://127.0.0.1:8080"),
    ("192.168.1.20", 5000, "http://192.168.1.20:5000"),
    ("::1", 5101, "http://[::1]:5101"),
])
def test_the_launcher_names_the_address_it_serves_on(host, port, url):
    assert launch.local_url(host, port) == url


def test_the_launcher_hands_its_address_to_both_processes(clean_environment):
    started = []

    class Exited:
        returncode = 0

        def __init__(self, command, env):
            started.append((command, env))

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    clean_environment.setattr(launch.subprocess, "Popen", Exited)
    clean_environment.setattr(sys, "argv", ["launch", "--port", "5101"])

    assert launch.main() == 0

    assert [command[-1] for command, _ in started] == ["--no-reload", "jobs"]
    assert "5101" in started[0][0]
    assert {env["AFTERCARE_LOCAL_URL"] for _, env in started} == {"http://127.0.0.1:5101"}


def test_setup_links_follow_the_launchers_port(tmp_path, clean_environment):
    clean_environment.setenv("AFTERCARE_LOCAL_URL", "http://127.0.0.1:5101")
    app = _app(tmp_path)

    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5101"
    with app.test_request_context():
        assert setup_url("t" * 43).startswith("http://127.0.0.1:5101/setup/")


def test_without_the_launcher_the_default_stays(tmp_path, clean_environment):
    assert _app(tmp_path).config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"


def test_public_base_url_in_the_environment_wins(tmp_path, clean_environment):
    clean_environment.setenv("AFTERCARE_LOCAL_URL", "http://127.0.0.1:5101")
    clean_environment.setenv("PUBLIC_BASE_URL", "https://aftercare.example.org")

    assert _app(tmp_path).config["PUBLIC_BASE_URL"] == "https://aftercare.example.org"


def test_public_base_url_in_instance_config_wins(tmp_path, clean_environment):
    clean_environment.setenv("AFTERCARE_LOCAL_URL", "http://127.0.0.1:5101")
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text(
        'PUBLIC_BASE_URL = "https://clinic.example.org"\n')

    assert _app(tmp_path).config["PUBLIC_BASE_URL"] == "https://clinic.example.org"


def test_public_base_url_given_to_create_app_wins(tmp_path, clean_environment):
    clean_environment.setenv("AFTERCARE_LOCAL_URL", "http://127.0.0.1:5101")

    app = _app(tmp_path, PUBLIC_BASE_URL="http://aftercare.test")

    assert app.config["PUBLIC_BASE_URL"] == "http://aftercare.test"
