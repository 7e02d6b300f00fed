"""POST/DELETE /api/auth/token: bearer tokens without cookies, rate-limited sign-in."""

import pytest


def sign_in(client, username, password, headers=None, address="192.0.2.1"):
    return client.post(
        "/api/auth/token",
        json={"username": username, "password": password},
        headers=headers or {},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sign_in_returns_a_token_with_roles(client, make_user):
    user, password = make_user(roles=("operator", "maintainer"))
    response = sign_in(client, user.username, password)
    assert response.status_code == 200
    body = response.json
    assert body["roles"] == ["operator", "maintainer"]
    assert len(body["token"]) >= 40 and body["expires_at"]


def test_wrong_user_and_wrong_password_get_the_same_answer(client, make_user):
    user, _ = make_user()
    wrong_password = sign_in(client, user.username, "not-the-password")
    unknown_user = sign_in(client, "nobody-here", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json == unknown_user.json


def test_error_message_is_localized(client):
    english = sign_in(client, "nobody", "x").json["error"]["message"]
    russian = sign_in(client, "nobody", "x", headers={"Accept-Language": "ru"}).json["error"]["message"]
    assert english != russian


@pytest.mark.parametrize("body", [None, "text", [], {"username": 1}])
def test_malformed_sign_in_is_refused_clearly(client, body):
    response = client.post("/api/auth/token", json=body)
    assert response.status_code in (400, 401)
    assert response.json["error"]["code"] in ("invalid", "invalid_credentials")


def test_revoked_token_stops_working(client, make_token):
    _, token = make_token()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/auth/token", headers=auth).status_code == 204
    assert client.delete("/api/auth/token", headers=auth).status_code == 401


def test_sign_in_is_rate_limited_per_username_without_locking_the_owner_out(app, make_user):
    user, password = make_user()
    client = app.test_client()
    answers = [
        sign_in(client, user.username, "wrong", address=f"198.51.100.{n}").status_code for n in range(12)
    ]
    assert answers[:10] == [401] * 10
    limited = sign_in(client, user.username, "wrong again", address="198.51.100.1")  # failed before
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json["error"]["code"] == "rate_limited"
    assert sign_in(client, user.username, password, address="203.0.113.9").status_code == 200  # the owner


def test_sign_in_is_rate_limited_per_address(app):
    client = app.test_client()
    answers = [sign_in(client, f"someone{n}", "wrong").status_code for n in range(11)]
    assert answers[-1] == 429
