"""Every subset of ENABLED_FEATURES builds a working site; sign-in and the health check are the core's."""

import itertools
import json
import logging
import re

import pytest

from clipai import create_app, storage
from clipai.extensions import socketio
from tests.test_anonymity import all_requests

# One page or asset per feature that answers 200 whenever the feature is enabled.
FEATURE_URLS = {
    "pages": ["/"],
    "policy": ["/privacy/versions", "/api/policy/versions", "/console/policy", "/policy/static/policy/main.js"],
    "chat": ["/chat/static/chat/main.js"],
    "console": ["/console", "/console/static/console/main.js"],
}
CORE_BLUEPRINTS = {"auth", "health", "metrics", "static"}
# With four features every subset makes sense, down to none (the core alone): sixteen sites.
SUBSETS = [subset for size in range(len(FEATURE_URLS) + 1) for subset in itertools.combinations(FEATURE_URLS, size)]


def subset_id(subset) -> str:
    return "+".join(subset) or "core-only"


@pytest.fixture(params=SUBSETS, ids=subset_id)
def features(request):
    return set(request.param)


@pytest.fixture
def site(app, app_config, features):
    """The site with only ``features`` enabled, on the database the ``app`` fixture migrated."""
    subset_app = create_app({**app_config, "ENABLED_FEATURES": [f"blueprints.{name}" for name in sorted(features)]})
    yield subset_app
    with subset_app.app_context():
        storage.engine().dispose()


def sign_in(client, user, password, url="/api/auth/token"):
    return client.post(url, json={"username": user.username, "password": password})


def test_enabled_features_answer_and_disabled_ones_are_not_found(site, features):
    client = site.test_client()
    for feature, urls in FEATURE_URLS.items():
        for url in urls:
            with client.get(url) as response:
                assert response.status_code == (200 if feature in features else 404), (feature, url)


def test_the_url_map_holds_the_core_and_the_enabled_features_only(site, features):
    blueprints = {rule.endpoint.partition(".")[0] for rule in site.url_map.iter_rules()}
    assert blueprints == CORE_BLUEPRINTS | features


def test_the_token_api_signs_in_and_out(site, make_user):
    user, password = make_user(roles=("operator", "maintainer"))
    client = site.test_client()
    signed_in = sign_in(client, user, password)
    assert signed_in.status_code == 200
    assert signed_in.json["roles"] == ["operator", "maintainer"]
    bearer = {"Authorization": f"Bearer {signed_in.json['token']}"}
    assert client.delete("/api/auth/token", headers=bearer).status_code == 204
    assert sign_in(client, user, "wrong").json["error"]["code"] == "invalid_credentials"


def test_the_health_check_answers(site):
    response = site.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_the_staff_pages_sign_in_where_they_say(site, features, make_user):
    user, password = make_user(roles=("operator", "maintainer"))
    client = site.test_client()
    for page, token_url, token_key in staff_sign_in_settings(client, features):
        assert token_key == "clipai.console.token", page
        assert sign_in(client, user, password, url=token_url).status_code == 200, page


def staff_sign_in_settings(client, features):
    """``(page, token URL, sessionStorage key)`` of each enabled staff page, as the page gives them."""
    if "console" in features:
        html = client.get("/console").get_data(as_text=True)
        yield "/console", _attribute(html, "data-token-url"), _attribute(html, "data-token-key")
    if "policy" in features:
        html = client.get("/console/policy").get_data(as_text=True)
        raw = re.search(r'<script type="application/json" id="policy-publish-data">(.*?)</script>', html, re.S)
        data = json.loads(raw.group(1))
        yield "/console/policy", data["urls"]["token"], data["tokenKey"]


def _attribute(html: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', html).group(1)


def test_a_namespace_exists_only_with_its_feature(site, features, make_token):
    _, token = make_token(roles=("operator",))
    visitor = socketio.test_client(site, namespace="/chat")
    operator = socketio.test_client(site, namespace="/console", auth={"token": token})
    assert visitor.is_connected("/chat") == ("chat" in features)
    assert operator.is_connected("/console") == ("console" in features)
    for client, namespace in ((visitor, "/chat"), (operator, "/console")):
        if client.is_connected(namespace):
            client.disconnect(namespace=namespace)


def test_no_route_sets_a_cookie(site, caplog):
    caplog.set_level(logging.ERROR)
    client = site.test_client()
    for method, url in all_requests(site):
        with client.open(url, method=method, json={} if method != "GET" else None) as response:
            assert "Set-Cookie" not in response.headers, (method, url)
    assert "Set-Cookie header was dropped" not in caplog.text
