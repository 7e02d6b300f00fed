"""Strict browser-security headers on every kind of response."""

import re

import pytest


@pytest.mark.parametrize("url", ["/", "/ru/", "/healthz", "/static/site.css", "/no-such-page", "/api/nothing"])
def test_strict_headers_everywhere(client, url):
    with client.get(url) as response:
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "script-src 'self';" in csp
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in headers["Permissions-Policy"]
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_pages_load_nothing_from_other_sites(client):
    html = client.get("/").get_data(as_text=True)
    # Canonical and hreflang links name the page's public addresses (SITE_URL); nothing loads them.
    html = re.sub(r'<link rel="(canonical|alternate)" (hreflang="[^"]+" )?href="[^"]*">', "", html)
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html


def test_api_errors_are_json(client):
    response = client.get("/api/nothing", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["message"]
