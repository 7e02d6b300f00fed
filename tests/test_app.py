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
    assert "/api/auth/token" not in rules
