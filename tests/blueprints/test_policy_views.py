"""Policy pages, feed and JSON API as visitors and maintainers see them."""

import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from clipai.services import policy

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TEXTS = {
    "en": "# Privacy Policy\n\nWe keep chat messages for 30 days.\n",
    "ru": "# Политика конфиденциальности\n\nМы храним сообщения чата 30 дней.\n",
    "de": "# Datenschutzerklärung\n\nWir speichern Chatnachrichten 30 Tage lang.\n",
    "ar": "# سياسة الخصوصية\n\nنحتفظ برسائل الدردشة لمدة 30 يومًا.\n",
}
NEW_EN = "# Privacy Policy\n\nWe keep chat messages for 14 days.\n"
CURRENT_FIELDS = {"number", "effective_from", "published_at", "locale", "controlling_locale", "title", "html",
                  "sha256", "prev_sha256", "upcoming", "outdated_locales"}


@pytest.fixture
def publish(app):
    def publish(texts=None, summary="First version.", effective_from=None):
        with app.app_context():
            return policy.publish(texts or TEXTS, summary, effective_from)

    return publish


@pytest.fixture
def published(publish):
    return publish()


@pytest.fixture
def upcoming(published, publish):
    """Version 2 (English only) takes effect in 100 seconds."""
    return publish({"en": NEW_EN}, "Shorter retention.", T0 + timedelta(seconds=100))


@pytest.fixture
def maintainer_token(make_token):
    return make_token(roles=("maintainer",))[1]


def page(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.get_data(as_text=True)


def main_text(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


# --- /privacy --------------------------------------------------------------------------------


def test_before_any_version_the_page_says_so(client):
    response, html = page(client, "/privacy")
    assert response.status_code == 200
    assert "No version of the privacy policy is in force yet." in html


def test_before_the_first_version_takes_effect_it_is_announced(client, publish):
    publish(effective_from=T0 + DAY)
    response, html = page(client, "/privacy")
    assert response.status_code == 200
    assert "No version of the privacy policy is in force yet." in html
    assert "Version 1 takes effect on January 2, 2030" in html


@pytest.mark.parametrize(
    "url, headers, title, lang",
    [
        ("/privacy", {}, "Privacy Policy", "en"),
        ("/privacy", {"Accept-Language": "de-AT,de;q=0.9"}, "Datenschutzerklärung", "de"),
        ("/ru/privacy", {}, "Политика конфиденциальности", "ru"),
        ("/privacy?lang=ar", {}, "سياسة الخصوصية", "ar"),
    ],
)
def test_policy_is_shown_in_the_visitors_language(client, published, url, headers, title, lang):
    response, html = page(client, url, **headers)
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in html
    assert f'<article class="policy-text" lang="{lang}"' in html
    assert "policy-fallback" not in html


def test_arabic_text_is_right_to_left(client, published):
    _, html = page(client, "/ar/privacy")
    assert '<article class="policy-text" lang="ar" dir="rtl">' in html


def test_missing_language_shows_the_controlling_text_with_a_notice(client, published):
    _, html = page(client, "/fr/privacy")
    assert "<h1>Privacy Policy</h1>" in html
    assert 'class="notice warn policy-fallback"' in html
    assert '<article class="policy-text" lang="en" dir="ltr">' in html


def test_page_shows_number_dates_hash_and_links(client, published):
    _, html = page(client, "/privacy")
    assert "<dd>1</dd>" in html
    assert published.sha256 in html
    assert 'datetime="2030-01-01T12:00:00.000Z"' in html
    assert "January 1, 2030" in html
    assert 'href="/privacy/versions"' in html and 'href="/privacy/feed.atom"' in html
    assert "mailto:support@clipai.pro" in html


def test_dates_are_formatted_for_the_visitors_locale(client, published):
    _, html = page(client, "/de/privacy")
    assert "1. Januar 2030" in html


def test_upcoming_version_is_announced_with_date_and_links(client, upcoming):
    _, html = page(client, "/privacy")
    banner = html[html.index("policy-banner"):html.index("</aside>")]
    assert "Version 2 takes effect on January 1, 2030" in banner
    assert 'href="/privacy/versions/2"' in banner
    assert 'href="/privacy/versions/1/diff/2"' in banner


def test_switch_over_happens_exactly_at_effective_from(client, upcoming, clock):
    clock.now = T0 + timedelta(seconds=100) - timedelta(microseconds=1)
    assert "30 days" in page(client, "/privacy")[1]
    clock.now = T0 + timedelta(seconds=100)
    _, html = page(client, "/privacy")
    assert "14 days" in html and "policy-banner" not in html


def test_unchanged_page_answers_304(client, published):
    first = client.get("/privacy")
    again = client.get("/privacy", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_etag_differs_per_language_and_upcoming_state(client, published, publish):
    english = client.get("/privacy").headers["ETag"]
    russian = client.get("/privacy", headers={"Accept-Language": "ru"}).headers["ETag"]
    publish({"en": NEW_EN}, "Later.", T0 + DAY)
    announced = client.get("/privacy").headers["ETag"]
    assert len({english, russian, announced}) == 3
    assert client.get("/privacy", headers={"If-None-Match": english}).status_code == 200


def test_cache_lifetime_is_capped_without_upcoming_versions(client, published):
    response = client.get("/privacy")
    assert response.cache_control.public
    assert response.cache_control.max_age == 300
    assert "Accept-Language" in response.headers["Vary"]


def test_json_api_answers_304_too(client, published):
    etag = client.get("/api/policy/current").headers["ETag"]
    assert client.get("/api/policy/current", headers={"If-None-Match": etag}).status_code == 304


def test_cache_never_outlives_the_next_switch_over(client, upcoming, clock):
    clock.now = T0 + timedelta(seconds=40)
    for url in ("/privacy", "/privacy/versions", "/privacy/versions/1", "/api/policy/current", "/privacy/feed.atom"):
        assert client.get(url).cache_control.max_age == 60, url


# --- history, version pages and differences ------------------------------------------------


def test_history_lists_versions_with_summaries_and_status(client, upcoming, publish, app):
    publish({"en": NEW_EN + "\nMore.\n"}, "Withdrawn idea.", T0 + DAY)
    with app.app_context():
        policy.withdraw(3)
    _, html = page(client, "/privacy/versions")
    for expected in ("First version.", "Shorter retention.", "Withdrawn idea.", "In force", "Upcoming", "Withdrawn"):
        assert expected in html


@pytest.mark.parametrize("number, status_text", [(1, "This version is in force."), (2, "It takes effect on")])
def test_version_page_shows_its_status(client, upcoming, number, status_text):
    _, html = page(client, f"/privacy/versions/{number}")
    assert status_text in html


def test_past_version_page_says_it_is_no_longer_in_force(client, upcoming, clock):
    clock.now = T0 + DAY
    _, html = page(client, "/privacy/versions/1")
    assert "This version is no longer in force." in html
    assert "30 days" in html


@pytest.mark.parametrize("url", ["/privacy/versions/9", "/privacy/versions/1/diff/9", "/privacy/versions/9/diff/1"])
def test_unknown_versions_are_404(client, published, url):
    assert client.get(url).status_code == 404


def test_diff_marks_removed_and_added_words(client, upcoming):
    _, html = page(client, "/privacy/versions/1/diff/2")
    assert "<del>30</del>" in html and "<ins>14</ins>" in html


def test_diff_works_the_other_way_round(client, upcoming):
    _, html = page(client, "/privacy/versions/2/diff/1")
    assert "<del>14</del>" in html and "<ins>30</ins>" in html


def test_diff_is_per_language(client, upcoming):
    _, html = page(client, "/privacy/versions/1/diff/2?text=ru")
    diff = html[html.index('class="policy-diff '):]
    assert "<del>" in diff and "храним" in diff  # Russian was dropped in version 2
    assert "Language removed" in html


def test_diff_shows_the_rendered_text_with_the_markdown_one_click_away(client, published, publish):
    publish({"en": "# Privacy Policy\n\n## 1. Chats\n\nWe keep chat messages for **14 days**.\n"}, "Bold.", T0 + DAY)
    _, html = page(client, "/privacy/versions/1/diff/2")
    diff = html[html.index('class="policy-diff '):]
    assert "<h2><ins>1. Chats</ins></h2>" in diff and "<del>30</del><strong><ins>14</ins> days</strong>" in diff
    assert "**" not in diff and "##" not in diff
    assert '<a href="/privacy/versions/1/diff/2?text=en&amp;view=markdown">Markdown source</a>' in html
    _, raw = page(client, "/privacy/versions/1/diff/2?text=en&view=markdown")
    assert "## 1. Chats</ins>" in raw and "<ins>**14</ins>" in raw and 'view=markdown" aria-current="page">Markdown source' in raw
    assert 'href="/privacy/versions/2/diff/1?text=en&amp;view=markdown"' in raw  # the other way round, still raw


def test_diff_page_answers_in_german(client, upcoming):
    _, html = page(client, "/de/privacy/versions/1/diff/2?text=en")
    assert "Markdown-Quelltext" in html and "<del>30</del><ins>14</ins>" in html


def test_diff_shows_markup_as_text(client, published, publish):
    publish({"en": TEXTS["en"] + "\n<script>alert(1)</script>\n"}, "Odd.", T0 + DAY)
    _, html = page(client, "/privacy/versions/1/diff/2")
    assert "<ins>" in html
    assert "&lt;script&gt;alert" in html and "<script>alert" not in html


# --- Atom feed -----------------------------------------------------------------------------


def test_feed_is_valid_atom_with_upcoming_versions_and_absolute_links(client, upcoming, publish, app):
    publish({"en": NEW_EN + "\nX.\n"}, "Withdrawn.", T0 + DAY)
    with app.app_context():
        policy.withdraw(3)
    response = client.get("/privacy/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [entry.link for entry in feed.entries] == [
        "http://localhost/privacy/versions/3", "http://localhost/privacy/versions/2",
        "http://localhost/privacy/versions/1",
    ]
    assert feed.entries[0].title == "Privacy policy version 3 (withdrawn)"  # the archive learns of it
    assert feed.entries[1].summary == "Shorter retention."


def test_feed_without_versions_is_still_valid(client):
    feed = feedparser.parse(client.get("/privacy/feed.atom").get_data())
    assert feed.bozo == 0 and feed.entries == []


# --- JSON API ------------------------------------------------------------------------------


def test_current_api_has_exactly_the_documented_fields(client, upcoming):
    body = client.get("/api/policy/current").get_json()
    assert set(body) == CURRENT_FIELDS
    assert body["number"] == 1 and body["locale"] == "en" and body["controlling_locale"] == "en"
    assert body["title"] == "Privacy Policy" and "30 days" in body["html"]
    assert body["effective_from"] == body["published_at"] == "2030-01-01T12:00:00.000000Z"
    assert body["prev_sha256"] is None
    assert body["upcoming"] == {"number": 2, "effective_from": "2030-01-01T12:01:40.000000Z"}


@pytest.mark.parametrize("lang, locale", [("ru", "ru"), ("fr", "en")])
def test_current_api_honours_lang(client, published, lang, locale):
    assert client.get(f"/api/policy/current?lang={lang}").get_json()["locale"] == locale


def test_current_api_before_any_version_is_404(client):
    response = client.get("/api/policy/current")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "no_policy"


def test_versions_api_lists_every_version(client, upcoming):
    body = client.get("/api/policy/versions").get_json()
    assert [(v["number"], v["status"]) for v in body] == [(1, "in_force"), (2, "upcoming")]
    assert body[1]["prev_sha256"] == body[0]["sha256"]


def test_version_api_has_texts_that_recompute_the_hash(client, upcoming):
    body = client.get("/api/policy/versions/2").get_json()
    assert body["texts"] == {"en": NEW_EN}
    recomputed = policy.content_sha256(policy.PolicyVersion(
        number=body["number"], published_at=policy.parse_instant(body["published_at"]),
        effective_from=policy.parse_instant(body["effective_from"]), summary=body["summary"],
        controlling_locale=body["controlling_locale"], sha256="", prev_sha256=body["prev_sha256"],
        withdrawn_at=None, texts=body["texts"],
    ))
    assert recomputed == body["sha256"]


def test_unknown_version_api_is_404(client, published):
    assert client.get("/api/policy/versions/5").get_json()["error"]["code"] == "unknown_version"


# --- publishing through the API ------------------------------------------------------------


def test_maintainer_publishes_a_version(client, published, maintainer_token):
    draft = {"texts": {"en": NEW_EN}, "summary": "Shorter.", "effective_from": "2030-02-01T00:00:00Z"}
    response = client.post("/api/policy/versions", headers={"Authorization": f"Bearer {maintainer_token}"}, json=draft)
    assert response.status_code == 201
    body = response.get_json()
    assert body["number"] == 2 and body["status"] == "upcoming"
    assert body["effective_from"] == "2030-02-01T00:00:00.000000Z"
    assert response.headers["Location"].endswith("/api/policy/versions/2")


def test_publishing_without_a_token_is_401(client):
    response = client.post("/api/policy/versions", json={"texts": {"en": NEW_EN}, "summary": "x"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_operators_without_the_maintainer_role_get_403(client, make_token):
    _, token = make_token(roles=("operator",))
    response = client.post("/api/policy/versions", headers={"Authorization": f"Bearer {token}"},
                           json={"texts": {"en": NEW_EN}, "summary": "x"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"texts": {"ru": "# Текст"}, "summary": "x"}, "texts.en", "controlling_text_missing"),
        ({"texts": {"en": NEW_EN, "pt": "# Texto"}, "summary": "x"}, "texts.pt", "unknown_locale"),
        ({"texts": {"en": NEW_EN}}, "summary", "summary_missing"),
        ({"texts": "nope", "summary": "x"}, "texts", "texts_missing"),
        ({"texts": {"en": NEW_EN}, "summary": "x", "effective_from": "tomorrow"}, "effective_from",
         "invalid_effective_from"),
        ({"texts": {"en": NEW_EN}, "summary": "x", "effective_from": "2029-12-31T00:00:00Z"}, "effective_from",
         "effective_from_before_publication"),
    ],
)
def test_invalid_fields_are_400_with_codes(client, published, maintainer_token, body, field, code):
    response = client.post("/api/policy/versions", headers={"Authorization": f"Bearer {maintainer_token}"}, json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][field]["code"] == code
    assert client.get("/api/policy/versions").get_json()[-1]["number"] == 1


def test_a_body_that_is_not_a_json_object_is_400(client, maintainer_token):
    response = client.post("/api/policy/versions", headers={"Authorization": f"Bearer {maintainer_token}"},
                           data="[]", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_preview_returns_sanitized_html(client, maintainer_token):
    response = client.post("/api/policy/preview", headers={"Authorization": f"Bearer {maintainer_token}"},
                           json={"markdown": "**hi** <script>x()</script> [a](javascript:x())"})
    html = response.get_json()["html"]
    assert "<strong>hi</strong>" in html and "<script" not in html and "href" not in html


def test_preview_needs_a_maintainer(client):
    assert client.post("/api/policy/preview", json={"markdown": "x"}).status_code == 401


def test_draft_diff_against_the_version_in_force(client, published, maintainer_token):
    response = client.post("/api/policy/diff?base=current", headers={"Authorization": f"Bearer {maintainer_token}"},
                           json={"texts": {"en": NEW_EN}})
    body = response.get_json()
    assert body["base"]["number"] == 1
    english = next(item for item in body["locales"] if item["locale"] == "en")
    assert english["status"] == "changed" and "<ins>14</ins>" in english["html"]


# --- maintainer page -----------------------------------------------------------------------


def test_publishing_page_carries_its_data_and_no_inline_script(client):
    response, html = page(client, "/console/policy")
    assert response.status_code == 200
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attributes or 'type="application/json"' in attributes for attributes in scripts)
    assert "style=" not in main_text(html)
    raw = re.search(r'<script type="application/json" id="policy-publish-data">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["tokenKey"] == "clipai.console.token"
    assert data["urls"]["token"] == "/api/auth/token"
    assert data["strings"]["published"]


def test_policy_responses_set_no_cookie(client, upcoming):
    for url in ("/privacy", "/privacy/versions", "/privacy/feed.atom", "/api/policy/current", "/console/policy"):
        assert "Set-Cookie" not in client.get(url).headers
