"""``clipai policy publish|list|show|withdraw|verify`` end to end."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from clipai import signals, storage
from clipai.services import policy

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
ENGLISH = "# Privacy Policy\n\nWe store nothing about you.\n"
RUSSIAN = "# Политика конфиденциальности\n\nМы ничего о вас не храним.\n"


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["policy", *args])

    return run


@pytest.fixture
def texts(tmp_path):
    (tmp_path / "en.md").write_text(ENGLISH, "utf-8")
    (tmp_path / "ru.md").write_text(RUSSIAN, "utf-8")
    return tmp_path


@pytest.fixture
def publish(run, texts):
    def publish(*extra, summary="First version."):
        return run("publish", "--text", f"en={texts / 'en.md'}", "--text", f"ru={texts / 'ru.md'}",
                   "--summary", summary, *extra)

    return publish


def test_publish_creates_version_one(publish, app):
    result = publish()
    assert result.exit_code == 0, result.output
    assert "Published version 1" in result.output
    with app.app_context():
        version = policy.get_version(1)
    assert version.texts == {"en": ENGLISH, "ru": RUSSIAN}
    assert version.effective_from == T0


def listed(output: str) -> list[list[str]]:
    """The cells of ``policy list``'s headed columns (two or more spaces apart)."""
    return [re.split(r"\s{2,}", line) for line in output.splitlines()]


def test_publish_with_effective_from_schedules_the_version(publish, run):
    publish()
    result = publish("--effective-from", "2030-03-01T00:00:00Z", summary="Scheduled.")
    assert result.exit_code == 0, result.output
    assert "effective from 2030-03-01T00:00:00.000000Z" in result.output
    assert listed(run("list").output)[2][1] == "upcoming"


def test_backdated_publish_is_refused_with_a_clear_message(publish, run):
    result = publish("--effective-from", "2029-01-01T00:00:00Z")
    assert result.exit_code != 0
    assert "cannot take effect before it is published" in result.output
    assert "effective_from_before_publication" in result.output
    assert "No version has been published yet." in run("list").output


def test_publish_without_the_controlling_text_is_refused(run, texts):
    result = run("publish", "--text", f"ru={texts / 'ru.md'}", "--summary", "x")
    assert result.exit_code != 0
    assert "texts.en" in result.output


def test_text_option_must_be_locale_equals_file(run, texts):
    result = run("publish", "--text", str(texts / "en.md"), "--summary", "x")
    assert result.exit_code == 2
    assert "LOCALE=FILE" in result.output


def test_list_shows_every_version_with_status(publish, run):
    publish()
    publish("--effective-from", "2030-06-01T00:00:00Z", summary="Later.")
    rows = listed(run("list").output)
    assert rows[0] == ["NUMBER", "STATUS", "EFFECTIVE FROM", "PUBLISHED AT", "SHA256", "SUMMARY"]
    assert [row[:2] for row in rows[1:]] == [["1", "in_force"], ["2", "upcoming"]]
    assert rows[2][-1] == "Later."


def test_show_prints_metadata_and_texts(publish, run):
    publish()
    output = run("show", "1").output
    assert "Status:" in output and "in_force" in output and "en, ru" in output
    assert run("show", "1", "--locale", "ru").output == RUSSIAN
    assert run("show", "7").exit_code != 0


def test_withdraw_an_upcoming_version(publish, run):
    publish()
    publish("--effective-from", "2030-06-01T00:00:00Z", summary="Later.")
    result = run("withdraw", "2")
    assert result.exit_code == 0, result.output
    assert listed(run("list").output)[2][1] == "withdrawn"


def test_withdrawing_the_version_in_force_is_refused(publish, run):
    publish()
    result = run("withdraw", "1")
    assert result.exit_code != 0
    assert "not_upcoming" in result.output


def test_publishing_before_a_scheduled_version_is_refused_until_it_is_withdrawn(publish, run):
    publish()
    publish("--effective-from", "2030-03-01T00:00:00Z", summary="Scheduled.")
    result = publish(summary="At once.")
    assert result.exit_code != 0
    assert ("Version 2 is scheduled to take effect on March 1, 2030, 12:00:00\u202fAM UTC. A new version must take "
            "effect after it; to replace it, withdraw version 2 first. [scheduled_version_pending]") in result.output
    assert len(listed(run("list").output)) == 3  # the header and two versions
    assert run("withdraw", "2").exit_code == 0
    result = publish(summary="At once.")
    assert result.exit_code == 0, result.output
    assert "Published version 3" in result.output


def test_verify_passes_on_an_intact_chain(publish, run):
    publish()
    publish("--effective-from", "2030-06-01T00:00:00Z", summary="Later.")
    result = run("verify")
    assert result.exit_code == 0
    assert "chain of 2 version(s) is intact" in result.output


def test_verify_reports_a_tampered_row_and_exits_1(publish, run, app):
    publish()
    publish("--effective-from", "2030-06-01T00:00:00Z", summary="Later.")
    with app.app_context(), storage.transaction() as conn:
        conn.execute(text("DROP TRIGGER policy_versions_refuse_update"))
        conn.execute(text("UPDATE policy_versions SET effective_from = published_at WHERE number = 2"))
    result = run("verify")
    assert result.exit_code == 1
    assert "version 2: content_mismatch" in result.output


@pytest.mark.parametrize("statements", [
    ["INSERT INTO policy_summaries (version_number, locale, summary) VALUES (2, 'ru', 'Добавлено позже.')"],
    ["DROP TRIGGER policy_summaries_refuse_update",
     "UPDATE policy_summaries SET summary = 'Wir verkaufen Daten.' WHERE version_number = 2"],
])
def test_verify_reports_a_summary_added_or_edited_after_publishing(publish, run, app, statements):
    publish()
    assert publish("--effective-from", "2030-06-01T00:00:00Z", "--summary", "de=Später.", summary="Later.").exit_code == 0
    assert run("verify").exit_code == 0
    with app.app_context(), storage.transaction() as conn:
        for statement in statements:
            conn.execute(text(statement))
    result = run("verify")
    assert result.exit_code == 1
    assert "version 2: content_mismatch" in result.output


def tamper(app, *statements):
    """Change rows the way someone with raw database access would: with the refusing triggers off."""
    with app.app_context(), storage.transaction() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # fires no ordinary trigger
        else:
            for trigger in ("policy_versions_refuse_update", "policy_withdrawals_refuse_insert"):
                conn.execute(text(f"DROP TRIGGER {trigger}"))
        for statement in statements:
            conn.execute(text(statement))


class TestOnEachDatabase:
    """Withdrawing and verifying on SQLite and on PostgreSQL."""

    @pytest.fixture
    def settings(self, each_database_url):
        return {"DATABASE_URL": each_database_url}

    def test_withdrawing_an_upcoming_version_keeps_the_record_intact(self, publish, run):
        publish()
        publish("--effective-from", "2030-06-01T00:00:00Z", summary="Later.")
        assert run("withdraw", "2").exit_code == 0
        verified = run("verify")
        assert verified.exit_code == 0, verified.output
        assert "chain of 2 version(s) is intact" in verified.output

    def test_verify_reports_the_version_in_force_withdrawn_behind_the_apps_back(self, publish, run, app):
        publish()
        tamper(app, "UPDATE policy_versions SET withdrawn_at = published_at WHERE number = 1")
        result = run("verify")
        assert result.exit_code == 1
        assert "version 1: withdrawal_unrecorded" in result.output
        assert "is broken" in result.output

    def test_verify_reports_a_withdrawal_undone_behind_the_apps_back(self, publish, run, app):
        result = verify_after_tampering_with_a_withdrawal(publish, run, app, "withdrawn_at = NULL")
        assert result.exit_code == 1
        assert "version 2: withdrawal_erased" in result.output


def verify_after_tampering_with_a_withdrawal(publish, run, app, assignment: str):
    """Publish 1 and an upcoming 2, withdraw 2, change its withdrawal in SQL; return verify's result."""
    publish()
    publish("--effective-from", "2030-06-01T00:00:00Z", summary="Later.")
    assert run("withdraw", "2").exit_code == 0
    tamper(app, f"UPDATE policy_versions SET {assignment} WHERE number = 2")
    return run("verify")


def test_verify_reports_a_withdrawal_moved_behind_the_apps_back(publish, run, app):
    result = verify_after_tampering_with_a_withdrawal(publish, run, app, "withdrawn_at = '2030-03-01 00:00:00.000000'")
    assert result.exit_code == 1
    assert "version 2: withdrawal_mismatch" in result.output


def test_a_forged_withdrawal_record_does_not_hide_withdrawing_the_version_in_force(publish, run, app):
    publish()
    with app.app_context():
        version = policy.get_version(1, with_texts=False)
        forged = policy.withdrawal_sha256(1, version.published_at, version.sha256)
    tamper(app, "UPDATE policy_versions SET withdrawn_at = published_at WHERE number = 1",
           "INSERT INTO policy_withdrawals (version_number, withdrawn_at, sha256) "
           f"SELECT number, withdrawn_at, '{forged}' FROM policy_versions WHERE number = 1")
    result = run("verify")
    assert result.exit_code == 1
    assert "version 1: withdrawal_not_upcoming" in result.output


def test_setup_signal_publishes_the_shipped_policy_once(app, run):
    with app.app_context():
        signals.setup_requested.send(app)
        signals.setup_requested.send(app)
    rows = listed(run("list").output)[1:]
    assert len(rows) == 1 and rows[0][:2] == ["1", "in_force"]
    assert "ar, de, en, es, fr, ru" in run("show", "1").output


@pytest.mark.parametrize("settings", [{"TESTING": False, "PAGE_CACHE_SECONDS": 60}])
class TestTheCommandLineInvalidatesTheCaches:
    """A publication or withdrawal from ``clipai policy`` shows at once in the same app's answers."""

    URLS = ("/privacy", "/api/policy/current")

    def seen(self, client) -> list[str]:
        return [client.get(url).get_data(as_text=True) for url in self.URLS]

    def test_a_version_published_from_the_command_line_shows_at_once(self, client, run, texts):
        (texts / "en14.md").write_text("# Privacy Policy\n\nWe keep chats for 14 days.\n", "utf-8")
        first = run("publish", "--text", f"en={texts / 'en.md'}", "--summary", "First.")
        assert first.exit_code == 0, first.output
        assert all("We store nothing about you." in answer for answer in self.seen(client))
        second = run("publish", "--text", f"en={texts / 'en14.md'}", "--summary", "Shorter.")
        assert second.exit_code == 0, second.output
        assert all("14 days" in answer for answer in self.seen(client))

    def upcoming(self, client) -> tuple[bool, dict | None]:
        page = client.get("/privacy").get_data(as_text=True)
        return "policy-banner" in page, client.get("/api/policy/current").get_json()["upcoming"]

    def test_a_version_withdrawn_from_the_command_line_is_no_longer_announced(self, client, publish, run):
        publish()
        publish("--effective-from", "2030-06-01T00:00:00Z", summary="Later.")
        announced, upcoming = self.upcoming(client)
        assert announced and upcoming["number"] == 2
        assert run("withdraw", "2").exit_code == 0
        assert self.upcoming(client) == (False, None)
