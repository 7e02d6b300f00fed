"""No response ever carries a cookie: pages, API, static files, errors, Socket.IO handshake."""

import logging

import pytest
from werkzeug.routing import Rule

from clipai.config import LOCALES

SAMPLE_VALUES = {"filename": "site.css"}


def sample_url(rule: Rule) -> str:
    """Fill a rule's variables with plausible values."""
    values = {name: SAMPLE_VALUES.get(name, "1") for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def all_requests(app):
    """Every rule in the URL map with each method it accepts, with and without a locale prefix."""
    for rule in app.url_map.iter_rules():
        url = sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url
            if method == "GET":
                for locale in LOCALES:
                    yield method, f"/{locale}{url}"


def assert_no_cookie(response, caplog):
    assert "Set-Cookie" not in response.headers
    assert "Set-Cookie header was dropped" not in caplog.text


def test_no_route_sets_a_cookie(app, client, caplog):
    caplog.set_level(logging.ERROR)
    seen = 0
    for method, url in all_requests(app):
        with client.open(url, method=method, json={} if method != "GET" else None) as response:
            assert "Set-Cookie" not in response.headers, (method, url)
        seen += 1
    assert seen > 20
    assert "Set-Cookie header was dropped" not in caplog.text


@pytest.mark.parametrize("url, status", [("/no-such-page", 404), ("/api/nothing", 404), ("/healthz?x=1", 200)])
def test_error_and_plain_responses_have_no_cookie(client, caplog, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert_no_cookie(response, caplog)


def test_method_not_allowed_has_no_cookie(client, caplog):
    response = client.put("/")
    assert response.status_code == 405
    assert_no_cookie(response, caplog)


def test_server_error_page_has_no_cookie(app, caplog):
    @app.get("/fails")
    def fails():
        raise RuntimeError("internal detail 7f3a")

    response = app.test_client().get("/fails")
    assert response.status_code == 500
    assert "internal detail 7f3a" not in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_rate_limited_response_has_no_cookie(app_config, caplog):
    from clipai import create_app

    app = create_app({**app_config, "RATELIMIT_DEFAULT": "2 per minute"})
    client = app.test_client()
    responses = [client.get("/") for _ in range(3)]
    assert responses[-1].status_code == 429
    assert_no_cookie(responses[-1], caplog)


def test_socketio_polling_handshake_sets_no_cookie(client, caplog):
    response = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://localhost"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("0{")
    assert_no_cookie(response, caplog)


def test_login_success_and_failure_set_no_cookie(client, make_user, caplog):
    user, password = make_user()
    good = client.post("/api/auth/token", json={"username": user.username, "password": password})
    bad = client.post("/api/auth/token", json={"username": user.username, "password": "wrong-password"})
    assert (good.status_code, bad.status_code) == (200, 401)
    assert_no_cookie(good, caplog)
    assert_no_cookie(bad, caplog)


def test_flask_session_cannot_be_written(app):
    from flask import session

    @app.get("/write-session")
    def write_session():
        session["x"] = 1
        return "written"

    response = app.test_client().get("/write-session")
    assert response.status_code == 500
    assert "Set-Cookie" not in response.headers
