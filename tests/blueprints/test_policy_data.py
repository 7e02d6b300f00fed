"""/privacy/data and GET /api/privacy/data: what the site stores, in every language."""

import pytest

from clipai.services import policy

NOT_COLLECTED = ["client_addresses", "user_agents", "cookies", "names", "email_addresses", "phone_numbers"]


def test_api_lists_every_table_with_columns_purpose_retention_and_rows(client):
    response = client.get("/api/privacy/data")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    body = response.get_json()
    tables = {t["name"]: t for t in body["tables"]}
    assert {"conversations", "messages", "users", "policy_versions", "alembic_version"} <= set(tables)
    messages = tables["messages"]
    assert set(messages) >= {"name", "purpose", "retention", "rows", "columns", "clause"}
    assert messages["clause"] == "2.1.1" and messages["rows"] == 0
    assert messages["retention"] == "30 days after the last message, or at once when the visitor erases the chat"
    assert {"name": "text", "holds": "The text, with personal data removed", "hashed": False} in messages["columns"]
    assert [item["code"] for item in body["not_collected"]] == NOT_COLLECTED


def test_api_counts_rows(client, app):
    with app.app_context():
        policy.publish({"en": "# Privacy\n\nText.\n"}, "First.")
    tables = {t["name"]: t for t in client.get("/api/privacy/data").get_json()["tables"]}
    assert tables["policy_versions"]["rows"] == 1 and tables["alembic_version"]["rows"] == 1


def test_api_speaks_the_requested_language(client):
    body = client.get("/api/privacy/data?lang=de").get_json()
    assert body["not_collected"][3]["label"] == "Namen"


@pytest.mark.parametrize("url, heading, lang", [
    ("/privacy/data", "What we store", "en"),
    ("/de/privacy/data", "Was wir speichern", "de"),
    ("/ar/privacy/data", "ما الذي نخزّنه", "ar"),
])
def test_page_lists_tables_and_what_is_never_collected(client, url, heading, lang):
    html = client.get(url).get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html and f'<html lang="{lang}"' in html
    assert '<code dir="ltr">messages</code>' in html and '<code dir="ltr">token_hash</code>' in html
    assert '<code dir="ltr">CHAT_RETENTION_DAYS</code>' in html


def test_german_page_is_translated(client):
    html = client.get("/de/privacy/data").get_data(as_text=True)
    assert "Netzwerkadressen (IP)" in html and "Abschnitt 2.1.1 der Datenschutzerklärung" in html


def test_privacy_links_to_the_inventory(client):
    assert 'href="/de/privacy/data"' in client.get("/de/privacy").get_data(as_text=True)
