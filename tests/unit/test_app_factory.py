import pytest

from app import create_app


def test_create_app_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    app = create_app({"SECRET_KEY": "x", "INSTANCE_PATH": str(instance),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'app.db'}"})
    assert app.name == "app"
    assert not instance.exists()


def test_create_app_without_a_secret_key_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize(("given", "used"), [
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_url_gets_the_psycopg3_driver(given, used, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", given)
    app = create_app({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == used


@pytest.mark.parametrize(("base_url", "flag", "secure"), [
    ("https://aftercare.example.org", None, True),
    ("http://127.0.0.1:5000", None, False),
    ("https://aftercare.example.org", "0", False),
    ("http://127.0.0.1:5000", "1", True),
])
def test_the_session_cookie_is_secure_when_served_over_https(base_url, flag, secure, tmp_path,
                                                             monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", base_url)
    if flag is None:
        monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", flag)
    app = create_app({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is secure
