"""Verification for everyone: the folded panel, the Markdown downloads, the chain API and the feed."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from clipai.services import policy

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
TEXTS = {
    "en": "# Privacy Policy\n\nWe keep chat messages for **30 days**.\n",
    "de": "# Datenschutzerklärung\n\nWir speichern Chatnachrichten **30 Tage** lang.\n",
}
CHAIN_NS = "https://clipai.pro/ns/policy-chain/1"


@pytest.fixture
def versions(app, clock):
    """Version 1 in force (en, de), version 2 in force a day later, version 3 scheduled then withdrawn."""
    with app.app_context():
        first = policy.publish(TEXTS, "First version.")
        clock.now = T0 + timedelta(days=1)
        second = policy.publish({"en": TEXTS["en"].replace("30 days", "14 days")}, "Shorter retention.")
        third = policy.publish({"en": "# Privacy Policy\n\nNo chats.\n"}, "No chat.", T0 + timedelta(days=30))
        policy.withdraw(third.number)
    return first, second, third


def canonical_sha256(document: dict) -> str:
    raw = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()


# --- the panel --------------------------------------------------------------------------------


def test_privacy_folds_the_hashes_into_a_verify_panel_with_downloads(client, versions):
    html = client.get("/privacy").get_data(as_text=True)
    start = html.index('<details class="policy-verify">')
    panel = html[start:html.index("</details>", start)]
    assert "<summary>Verify this version</summary>" in panel
    assert versions[1].sha256 in panel and versions[0].sha256 in panel
    assert html.count(versions[1].sha256) == 1  # not repeated above the text any more
    assert 'href="/privacy/versions/2/en.md"' in panel
    assert 'href="/api/policy/chain"' in panel


def test_the_panel_speaks_the_readers_language_and_offers_every_text(client, versions):
    html = client.get("/de/privacy/versions/1").get_data(as_text=True)
    assert "<summary>Diese Version prüfen</summary>" in html
    assert 'href="/de/privacy/versions/1/de.md"' in html and 'href="/de/privacy/versions/1/en.md"' in html


# --- Markdown downloads -----------------------------------------------------------------------


def test_each_text_downloads_as_markdown_byte_for_byte(client, versions):
    response = client.get("/privacy/versions/1/de.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.get_data() == TEXTS["de"].encode("utf-8")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("url", ["/privacy/versions/2/de.md", "/privacy/versions/9/en.md", "/privacy/versions/1/xx.md"])
def test_a_missing_text_is_a_404_page(client, versions, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/html"


# --- the chain API ----------------------------------------------------------------------------


def test_chain_lists_every_version_with_the_hashed_fields(client, versions):
    body = client.get("/api/policy/chain").get_json()
    assert body["algorithm"] == "sha256"
    assert [v["number"] for v in body["versions"]] == [1, 2, 3]
    first, second, third = body["versions"]
    assert first["prev_sha256"] is None and second["prev_sha256"] == first["sha256"] == versions[0].sha256
    assert first["texts"] == {"de": "http://localhost/privacy/versions/1/de.md",
                              "en": "http://localhost/privacy/versions/1/en.md"}
    assert (first["withdrawn"], first["withdrawn_at"], first["withdrawal_sha256"]) == (False, None, None)
    assert third["withdrawn"] is True and third["withdrawn_at"] == "2030-01-02T12:00:00.000000Z"


def test_the_chain_and_the_downloads_recompute_every_hash(client, versions):
    """What the documented recipe does, in Python: every hash follows from public data only."""
    prev = None
    for entry in client.get("/api/policy/chain").get_json()["versions"]:
        texts = [[locale, client.get(url.removeprefix("http://localhost")).get_data(as_text=True)]
                 for locale, url in sorted(entry["texts"].items())]
        document = {key: entry[key] for key in ("number", "published_at", "effective_from", "summary",
                                                "controlling_locale")}
        assert canonical_sha256({**document, "texts": texts, "prev_sha256": prev}) == entry["sha256"]
        prev = entry["sha256"]
    withdrawn = entry
    record = {"number": 3, "version_sha256": withdrawn["sha256"], "withdrawn_at": withdrawn["withdrawn_at"]}
    assert canonical_sha256(record) == withdrawn["withdrawal_sha256"]


def test_chain_before_any_version_is_empty(client):
    assert client.get("/api/policy/chain").get_json() == {"algorithm": "sha256", "versions": []}


# --- the Atom feed ----------------------------------------------------------------------------


def test_feed_entries_carry_the_chain_values(client, versions):
    raw = client.get("/privacy/feed.atom").get_data()
    feed = feedparser.parse(raw)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.namespaces.get("chain") == CHAIN_NS
    entries = {int(entry.chain_number): entry for entry in feed.entries}
    assert sorted(entries) == [1, 2, 3]
    assert entries[2].chain_sha256 == versions[1].sha256
    assert entries[2]["chain_prev-sha256"] == versions[0].sha256
    assert entries[2]["chain_effective-from"] == "2030-01-02T12:00:00.000000Z"
    assert entries[1]["chain_prev-sha256"] == "" and entries[2]["chain_withdrawn-at"] == ""


def test_feed_marks_a_withdrawn_version_so_an_archive_sees_the_withdrawal(client, versions):
    feed = feedparser.parse(client.get("/privacy/feed.atom").get_data())
    withdrawn = next(entry for entry in feed.entries if entry.chain_number == "3")
    assert withdrawn.title == "Privacy policy version 3 (withdrawn)"
    assert withdrawn["chain_withdrawn-at"] == "2030-01-02T12:00:00.000000Z"
    assert withdrawn.updated == "2030-01-02T12:00:00.000000Z"


def test_feed_links_every_text_as_markdown(client, versions):
    feed = feedparser.parse(client.get("/privacy/feed.atom").get_data())
    first = next(entry for entry in feed.entries if entry.chain_number == "1")
    markdown = {link.hreflang: link.href for link in first.links if link.type == "text/markdown"}
    assert markdown == {"de": "http://localhost/privacy/versions/1/de.md", "en": "http://localhost/privacy/versions/1/en.md"}

