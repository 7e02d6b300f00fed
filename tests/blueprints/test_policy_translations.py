"""Translations that fell behind the controlling text are flagged (issue 19): in the API, to
readers of that language, on the diff page, in the publishing review and by the CLI."""

from datetime import UTC, datetime, timedelta

import pytest

from clipai.services import policy

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
EN_30 = "# Privacy Policy\n\nWe keep chat messages for 30 days.\n"
EN_14 = "# Privacy Policy\n\nWe keep chat messages for 14 days.\n"
DE_30 = "# Datenschutzerklärung\n\nWir speichern Chatnachrichten 30 Tage lang.\n"
DE_14 = "# Datenschutzerklärung\n\nWir speichern Chatnachrichten 14 Tage lang.\n"
RU_30 = "# Политика конфиденциальности\n\nМы храним сообщения чата 30 дней.\n"


@pytest.fixture
def publish(app, clock):
    def publish(texts, summary="A change.", **extra):
        clock.now += timedelta(hours=1)
        with app.app_context():
            return policy.publish(texts, summary, **extra)

    return publish


@pytest.fixture
def only_english_changed(publish):
    """Version 1 in English, German and Russian; version 2 changes only the English text."""
    publish({"en": EN_30, "de": DE_30, "ru": RU_30}, "First version.")
    publish({"en": EN_14, "de": DE_30, "ru": RU_30}, "Fourteen days.")


def german(client, url):
    return client.get(url, headers={"Accept-Language": "de"}).get_data(as_text=True)


def test_api_lists_the_translations_that_fell_behind(client, only_english_changed):
    assert client.get("/api/policy/current").get_json()["outdated_locales"] == ["de", "ru"]
    assert client.get("/api/policy/versions/2").get_json()["outdated_locales"] == ["de", "ru"]
    assert client.get("/api/policy/versions/1").get_json()["outdated_locales"] == []


def test_a_translation_stays_behind_until_it_is_updated(client, only_english_changed, publish):
    publish({"en": EN_14, "de": DE_14, "ru": RU_30}, "German updated.")
    assert client.get("/api/policy/versions/3").get_json()["outdated_locales"] == ["ru"]
    html = client.get("/ru/privacy").get_data(as_text=True)
    # Russian last changed in version 1: the link shows every English change since.
    assert 'href="/ru/privacy/versions/1/diff/3?text=en"' in html


def test_changing_a_translation_with_the_controlling_text_is_not_flagged(client, publish):
    publish({"en": EN_30, "de": DE_30}, "First version.")
    publish({"en": EN_14, "de": DE_14}, "Both changed.")
    assert client.get("/api/policy/current").get_json()["outdated_locales"] == []
    assert "policy-outdated" not in german(client, "/privacy")


def test_a_german_reader_is_told_the_translation_was_not_updated(client, only_english_changed):
    for url in ("/privacy", "/privacy/versions/2"):
        html = german(client, url)
        assert "Diese Übersetzung wurde noch nicht aktualisiert" in html
        assert 'href="/privacy/versions/1/diff/2?text=en"' in html
        assert "Änderungen am maßgeblichen Text ansehen (Englisch)" in html
    assert "policy-outdated" not in client.get("/privacy").get_data(as_text=True)  # the English reader
    assert "policy-outdated" not in german(client, "/privacy/versions/1")


def test_the_diff_page_does_not_say_no_changes_when_the_translation_fell_behind(client, only_english_changed):
    html = german(client, "/privacy/versions/1/diff/2")
    assert "Diese Übersetzung wurde zwischen diesen Versionen nicht aktualisiert" in html
    assert "Keine Änderungen" not in html
    assert "Übersetzung nicht aktualisiert" in html
    assert 'href="/privacy/versions/1/diff/2?text=en"' in html
    english = german(client, "/privacy/versions/1/diff/2?text=en")
    assert "policy-outdated" not in english and "<ins>14</ins>" in english


def test_the_review_flags_carried_over_translations(client, only_english_changed, make_token):
    headers = {"Authorization": f"Bearer {make_token(roles=('maintainer',))[1]}"}
    draft = {"texts": {"en": EN_30.replace("30", "7"), "de": DE_30, "ru": RU_30.replace("30", "7")}}
    body = client.post("/api/policy/diff", headers=headers, json=draft).get_json()
    assert body["outdated_locales"] == ["de"]
    assert {entry["locale"]: entry["outdated"] for entry in body["locales"]} == {"de": True, "en": False, "ru": False}


@pytest.fixture
def cli(app, tmp_path):
    runner = app.test_cli_runner()
    for name, text in {"en": EN_14, "de": DE_30, "ru": RU_30}.items():
        (tmp_path / f"{name}.md").write_text(text, "utf-8")

    def cli(*extra, input=None):
        return runner.invoke(args=["policy", "publish", "--text", f"en={tmp_path / 'en.md'}",
                                   "--text", f"de={tmp_path / 'de.md'}", "--summary", "Fourteen days.", *extra],
                             input=input)

    return cli


def test_cli_warns_and_asks_before_publishing_translations_that_fell_behind(cli, publish, client):
    publish({"en": EN_30, "de": DE_30}, "First version.")
    refused = cli(input="n\n")
    assert refused.exit_code == 1
    assert "Warning: the de text(s) are unchanged while the controlling (en) text changed" in refused.output
    assert [v["number"] for v in client.get("/api/policy/versions").get_json()] == [1]
    accepted = cli(input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Published version 2" in accepted.output


def test_cli_yes_publishes_without_asking(cli, publish):
    publish({"en": EN_30, "de": DE_30}, "First version.")
    result = cli("--yes")
    assert result.exit_code == 0, result.output
    assert "Warning: the de text(s)" in result.output and "Publish anyway?" not in result.output


def test_cli_does_not_ask_when_nothing_fell_behind(cli, publish):
    publish({"en": EN_14, "de": DE_14}, "First version.")
    result = cli()
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output


# --- change summaries per language ------------------------------------------------------------


@pytest.fixture
def maintainer(make_token):
    return {"Authorization": f"Bearer {make_token(roles=('maintainer',))[1]}"}


@pytest.fixture
def with_german_summary(client, publish, maintainer, clock):
    publish({"en": EN_30, "de": DE_30}, "First version.")
    clock.now += timedelta(hours=1)
    response = client.post("/api/policy/versions", headers=maintainer, json={
        "texts": {"en": EN_14, "de": DE_14}, "summary": "Chats are kept for 14 days.",
        "summaries": {"de": "Chats werden 14 Tage lang aufbewahrt.", "ar": "  "}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_api_publishes_summaries_per_language(client, with_german_summary):
    assert with_german_summary["summaries"] == {"de": "Chats werden 14 Tage lang aufbewahrt."}  # empty: not given
    assert with_german_summary["summary"] == "Chats are kept for 14 days."
    listed = client.get("/api/policy/versions").get_json()
    assert listed[1]["summaries"] == {"de": "Chats werden 14 Tage lang aufbewahrt."} and listed[0]["summaries"] == {}


def test_readers_see_their_languages_summary_else_the_controlling_one(client, with_german_summary):
    for url in ("/privacy/versions", "/privacy/versions/2", "/privacy/versions/1/diff/2"):
        assert "Chats werden 14 Tage lang aufbewahrt." in german(client, url)
        russian = client.get("/ru" + url).get_data(as_text=True)
        assert '<span lang="en" dir="ltr">Chats are kept for 14 days.</span>' in russian
        assert "Chats werden" not in russian
    assert "Chats werden 14 Tage lang aufbewahrt." in client.get("/de/privacy/feed.atom").get_data(as_text=True)


def test_summaries_are_covered_by_the_hash_chain(client, with_german_summary, app):
    body = client.get("/api/policy/versions/2").get_json()
    version = policy.PolicyVersion(
        number=2, published_at=policy.parse_instant(body["published_at"]),
        effective_from=policy.parse_instant(body["effective_from"]), summary=body["summary"],
        controlling_locale="en", sha256="", prev_sha256=body["prev_sha256"], withdrawn_at=None,
        texts=body["texts"], summaries=body["summaries"])
    assert policy.content_sha256(version) == body["sha256"]
    forged = policy.PolicyVersion(**{**version.__dict__, "summaries": {"de": "Wir verkaufen Daten."}})
    assert policy.content_sha256(forged) != body["sha256"]
    result = app.test_cli_runner().invoke(args=["policy", "verify"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("summaries, field, code", [
    ({"pt": "Resumo."}, "summaries.pt", "unknown_locale"),
    ({"en": "Twice."}, "summaries.en", "controlling_summary"),
    ({"de": "x" * 2001}, "summaries.de", "summary_too_long"),
    ("de=Text", "summaries", "invalid_summaries"),
])
def test_invalid_summaries_are_400_with_codes(client, publish, maintainer, summaries, field, code):
    publish({"en": EN_30}, "First version.")
    response = client.post("/api/policy/versions", headers=maintainer, json={
        "texts": {"en": EN_14}, "summary": "Fourteen days.", "summaries": summaries})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"][field]["code"] == code
    assert len(client.get("/api/policy/versions").get_json()) == 1


def test_cli_takes_summaries_per_language(cli, publish, app):
    publish({"en": EN_30, "de": DE_30}, "First version.")
    result = cli("--yes", "--summary", "de=Chats werden 14 Tage lang aufbewahrt.", "--summary", "ar=تغيير.")
    assert result.exit_code == 0, result.output
    shown = app.test_cli_runner().invoke(args=["policy", "show", "2"]).output
    assert "Summary:          Fourteen days." in shown
    assert "Summary (de):     Chats werden 14 Tage lang aufbewahrt." in shown and "Summary (ar):     تغيير." in shown


@pytest.mark.parametrize("value, message", [
    ("pt=Resumo.", "pt is not a language of the site"),
    ("Fourteen days, again.", "the controlling summary is given twice"),
    ("de=Eins.", None),
])
def test_cli_refuses_unknown_languages_and_doubled_summaries(cli, publish, client, value, message):
    publish({"en": EN_30, "de": DE_30}, "First version.")
    extra = ("--summary", value) if message else ("--summary", value, "--summary", "de=Zwei.")
    result = cli("--yes", *extra)
    assert result.exit_code == 2
    assert (message or "de is given twice") in result.output
    assert len(client.get("/api/policy/versions").get_json()) == 1


def test_cli_reads_a_summary_with_an_equals_sign_as_the_controlling_one(publish, app, tmp_path):
    publish({"en": EN_30}, "First version.")
    (tmp_path / "en.md").write_text(EN_14, "utf-8")
    result = app.test_cli_runner().invoke(args=[
        "policy", "publish", "--text", f"en={tmp_path / 'en.md'}", "--summary", "Retention=14 days",
        "--summary", "de=Aufbewahrung=14 Tage"])
    assert result.exit_code == 0, result.output
    shown = app.test_cli_runner().invoke(args=["policy", "show", "2"]).output
    assert "Summary:          Retention=14 days" in shown and "Summary (de):     Aufbewahrung=14 Tage" in shown


def test_cli_without_the_controlling_summary_is_refused(publish, app, tmp_path, client):
    publish({"en": EN_30}, "First version.")
    (tmp_path / "en.md").write_text(EN_14, "utf-8")
    result = app.test_cli_runner().invoke(args=[
        "policy", "publish", "--text", f"en={tmp_path / 'en.md'}", "--summary", "de=Vierzehn Tage."])
    assert result.exit_code == 2
    assert "give the controlling summary as a bare --summary TEXT" in result.output
    assert len(client.get("/api/policy/versions").get_json()) == 1

