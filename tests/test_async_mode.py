"""The async mode is decided once, by the settings: wsgi.py patches for the mode its app runs."""

import pytest

from clipai import create_app, storage
from clipai.config import async_mode


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An instance folder whose config.py chooses threading (not the default gevent)."""
    monkeypatch.delenv("CLIPAI_ASYNC_MODE", raising=False)
    (tmp_path / "config.py").write_text(
        f'ASYNC_MODE = "threading"\nSECRET_KEY = "test"\nDATABASE_URL = "sqlite:///{tmp_path / "db.sqlite3"}"\n')
    return tmp_path


def built_like_wsgi(instance_path):
    """What wsgi.py does, without monkey-patching or serving: the mode it reads, and its app."""
    app = create_app(instance_path=instance_path)
    storage.dispose(app)
    return async_mode(instance_path), app


def test_wsgi_honours_the_instance_configs_async_mode(instance):
    mode, app = built_like_wsgi(instance)
    assert mode == app.config["ASYNC_MODE"] == "threading"


def test_the_environment_overrides_the_instance_config(instance, monkeypatch):
    monkeypatch.setenv("CLIPAI_ASYNC_MODE", "eventlet")
    assert async_mode(instance) == "eventlet"


def test_without_settings_the_default_is_gevent(tmp_path, monkeypatch):
    monkeypatch.delenv("CLIPAI_ASYNC_MODE", raising=False)
    assert async_mode(tmp_path) == "gevent"


def test_the_clipai_command_forces_threading_for_itself(instance, monkeypatch):
    monkeypatch.setenv("CLIPAI_ASYNC_MODE", "eventlet")
    app = create_app(instance_path=instance, async_mode="threading")
    assert app.config["ASYNC_MODE"] == "threading"
