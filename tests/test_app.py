"""The application factory and the plugin-style features."""

from clipai import create_app


def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "ClipAI" in response.get_data(as_text=True)


def test_features_are_loaded_from_config(app_config):
    app = create_app({**app_config, "ENABLED_FEATURES": ["blueprints.pages"]})
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert "/" in rules
    assert "/console" not in rules
    assert "/api/auth/token" in rules  # sign-in is the core's, whatever the features


def test_a_disabled_feature_takes_its_namespace_and_widget_with_it(app_config):
    from clipai.extensions import socketio

    app = create_app({**app_config, "ENABLED_FEATURES": ["blueprints.pages", "blueprints.policy"]})
    html = app.test_client().get("/").get_data(as_text=True)
    assert "chat-launcher" not in html
    visitor = socketio.test_client(app, namespace="/chat")
    assert not visitor.is_connected("/chat")


def test_the_full_site_has_the_chat_namespace(app):
    from clipai.extensions import socketio

    visitor = socketio.test_client(app, namespace="/chat")
    assert visitor.is_connected("/chat")
    visitor.disconnect(namespace="/chat")


def test_too_many_requests_page_is_localized_and_says_when_to_retry(app_config):
    app = create_app({**app_config, "RATELIMIT_DEFAULT": "1 per minute"})
    client = app.test_client()
    client.get("/de/")
    limited = client.get("/de/")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert 'lang="de"' in limited.get_data(as_text=True)
    assert "Too many requests" not in limited.get_data(as_text=True)
