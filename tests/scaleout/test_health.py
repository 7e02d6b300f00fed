"""/healthz: ``ok``; ``degraded`` (still 200) while a configured Redis is down; 503 without the database."""

import pytest

from clipai import storage


@pytest.fixture
def app_config(app_config):
    closed = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app_config.update(MESSAGE_QUEUE=closed, RATELIMIT_STORAGE_URI=closed)
    return app_config


def test_health_is_degraded_but_serving_while_redis_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "up", "message_queue": "down",
                                   "rate_limit_storage": "down"}


@pytest.mark.redis
def test_health_is_ok_when_redis_answers(app_config, shared_redis):
    from clipai import create_app

    app_config.update(MESSAGE_QUEUE=shared_redis, RATELIMIT_STORAGE_URI=shared_redis)
    app = create_app(app_config)
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}
    storage.dispose(app)


def test_health_is_503_when_the_database_is_down(app_config, tmp_path):
    from clipai import create_app

    app_config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite3'}"
    app = create_app(app_config)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"
    storage.dispose(app)
