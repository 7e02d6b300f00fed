"""What another site of the owner loads to embed the chat: the script, the markup, CORS and CORP."""

import pytest

PARTNER = "https://partner.example"
EMBEDDING = {"EMBED_ORIGINS": [PARTNER]}


def get(client, path, origin=None):
    response = client.get(path, headers={"Origin": origin} if origin else {})
    response.close()
    return response


def test_the_embed_script_is_served_without_cookies(client):
    response = get(client, "/chat/embed.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("settings", [EMBEDDING])
@pytest.mark.parametrize("path", ["/chat/embed.js", "/chat/embed/widget?lang=de", "/chat/static/chat/main.js",
                                  "/static/js/i18n.js", "/chat/static/chat/embed.css", "/static/vendor/altcha/helpers.js"])
def test_a_listed_site_may_load_what_the_embed_needs(client, path):
    response = get(client, path, origin=PARTNER)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("settings", [EMBEDDING])
def test_another_site_gets_no_cors_permission(client):
    response = get(client, "/chat/embed/widget", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("settings", [EMBEDDING])
@pytest.mark.parametrize("path", ["/privacy", "/api/policy/versions", "/console"])
def test_pages_and_apis_stay_same_origin(client, path):
    response = get(client, path, origin=PARTNER)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_without_embed_origins_nothing_is_shared(client):
    response = get(client, "/chat/static/chat/main.js", origin=PARTNER)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize("settings", [EMBEDDING])
def test_the_markup_speaks_the_asked_language_and_names_its_server(client):
    response = client.get("/chat/embed/widget?lang=ar", base_url="https://chat.example")
    html = response.get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html and 'data-server="https://chat.example"' in html
    assert 'src="https://chat.example/static/vendor/socket.io.min.js"' in html.replace("data-client-src", "src")
    assert "<script type=\"module\"" not in html  # embed.js imports the modules itself


@pytest.mark.parametrize("settings", [EMBEDDING])
@pytest.mark.parametrize("origin, admitted", [(PARTNER, True), ("https://evil.example", False)])
def test_the_socket_io_origin_check_admits_listed_sites_only(client, origin, admitted):
    response = get(client, "/socket.io/?EIO=4&transport=polling", origin=origin)
    assert (response.status_code == 200) is admitted
