"""Policy versions: the in-force rule, publishing rules, withdrawal, rendering and the hash chain."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from blueprints.policy import publish_shipped_policy
from clipai import storage
from clipai.config import LOCALES
from clipai.services import policy
from clipai.services.policy import publishing
from clipai.services.errors import ServiceError

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)
DAY = timedelta(days=1)
TEXT_EN = "# Privacy Policy\n\nWe store nothing about you.\n"
TEXT_RU = "# Политика конфиденциальности\n\nМы ничего о вас не храним.\n"


@pytest.fixture
def make_policy(app_ctx):
    """Publish a version with sensible defaults: ``make_policy(effective_from=…, texts=…)``."""

    def make(effective_from=None, texts=None, summary="A change."):
        return policy.publish(texts or {"en": TEXT_EN}, summary, effective_from)

    return make


def version_count():
    return len(policy.current_state().versions)


# --- the in-force rule ---------------------------------------------------------------------


@pytest.fixture
def schedule(make_policy, clock):
    """v1 in force from T0; v2, v3 upcoming at T0+10d and T0+20d; v4 (T0+30d) withdrawn."""
    make_policy()
    make_policy(T0 + 10 * DAY)
    make_policy(T0 + 20 * DAY)
    make_policy(T0 + 30 * DAY)
    policy.withdraw(4)


@pytest.mark.parametrize(
    "at, in_force, upcoming",
    [
        (T0 - TICK, None, 1),
        (T0, 1, 2),
        (T0 + 10 * DAY - TICK, 1, 2),
        (T0 + 10 * DAY, 2, 3),
        (T0 + 20 * DAY - TICK, 2, 3),
        (T0 + 20 * DAY, 3, None),
        (T0 + 30 * DAY - TICK, 3, None),
        (T0 + 30 * DAY, 3, None),  # v4 was withdrawn: it never takes effect
        (T0 + 3650 * DAY, 3, None),
    ],
)
def test_in_force_rule_across_boundaries(schedule, clock, at, in_force, upcoming):
    clock.now = at
    state = policy.current_state()
    assert (state.in_force.number if state.in_force else None) == in_force
    assert (state.upcoming.number if state.upcoming else None) == upcoming


def test_in_force_at_an_explicit_instant_ignores_the_clock(schedule, clock):
    clock.now = T0
    assert policy.in_force(T0 + 15 * DAY).number == 2


def test_the_nearest_of_several_upcoming_versions_is_announced(schedule, clock):
    state = policy.current_state()
    assert [v.number for v in policy.upcoming_at(state.versions, T0)] == [2, 3]
    assert state.upcoming.number == 2
    assert state.next_switch_over == T0 + 10 * DAY


def test_equal_effective_instants_are_won_by_the_later_version(make_policy, clock, monkeypatch):
    # Publishing no longer accepts this (scheduled_version_pending); older databases may hold it.
    monkeypatch.setattr(publishing, "check_follows_scheduled", lambda *args: None)
    make_policy(T0 + DAY)
    make_policy(T0 + DAY, texts={"en": "# Privacy Policy\n\nSecond.\n"})
    assert policy.in_force(T0 + DAY).number == 2


def test_a_version_at_the_instant_of_a_scheduled_one_is_refused(make_policy):
    make_policy(T0 + DAY)
    with pytest.raises(ServiceError) as refused:
        make_policy(T0 + DAY, texts={"en": "# Privacy Policy\n\nSecond.\n"})
    assert refused.value.code == "scheduled_version_pending"
    assert refused.value.details["scheduled"]["number"] == 1


def test_statuses_follow_the_clock(schedule, clock):
    clock.now = T0 + 10 * DAY
    state = policy.current_state()
    assert [state.status_of(v) for v in state.versions] == ["past", "in_force", "upcoming", "withdrawn"]


# --- publishing ----------------------------------------------------------------------------


def test_effective_from_defaults_to_the_publication_instant(make_policy):
    version = make_policy()
    assert version.published_at == version.effective_from == T0


def test_version_numbers_are_consecutive_even_after_a_withdrawal(make_policy):
    make_policy()
    make_policy(T0 + DAY)
    policy.withdraw(2)
    assert make_policy(T0 + 2 * DAY).number == 3
    assert [v.number for v in policy.current_state().versions] == [1, 2, 3]


def test_backdating_before_publication_is_refused_and_nothing_is_written(make_policy):
    make_policy()
    with pytest.raises(policy.PolicyInvalid) as refused:
        make_policy(T0 - TICK)
    assert refused.value.fields["effective_from"]["code"] == "effective_from_before_publication"
    assert version_count() == 1


def test_a_first_version_cannot_be_backdated_either(make_policy):
    with pytest.raises(policy.PolicyInvalid) as refused:
        make_policy("2029-12-31T23:59:59Z")
    assert refused.value.fields["effective_from"]["code"] == "effective_from_before_publication"
    assert version_count() == 0


def test_effective_from_may_not_precede_the_version_in_force(make_policy, clock):
    current = make_policy()
    with pytest.raises(policy.PolicyInvalid) as refused:
        # The clock can only make this reachable if it jumps backwards; the rule still holds.
        policy.check_effective_from(T0 - DAY, T0 - 2 * DAY, current)
    assert refused.value.fields["effective_from"]["code"] == "effective_from_before_current"


def test_iso_strings_with_offsets_are_accepted(make_policy):
    version = make_policy("2030-01-02T15:00:00+03:00")
    assert version.effective_from == datetime(2030, 1, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "texts, summary, effective_from, field, code",
    [
        ({}, "s", None, "texts", "texts_missing"),
        ("not a mapping", "s", None, "texts", "texts_missing"),
        ({"ru": TEXT_RU}, "s", None, "texts.en", "controlling_text_missing"),
        ({"en": TEXT_EN, "xx": "text"}, "s", None, "texts.xx", "unknown_locale"),
        ({"en": "   \n"}, "s", None, "texts.en", "empty_text"),
        ({"en": "x" * (policy.MAX_TEXT_LENGTH + 1)}, "s", None, "texts.en", "text_too_long"),
        ({"en": TEXT_EN}, "  ", None, "summary", "summary_missing"),
        ({"en": TEXT_EN}, None, None, "summary", "summary_missing"),
        ({"en": TEXT_EN}, "s" * (policy.MAX_SUMMARY_LENGTH + 1), None, "summary", "summary_too_long"),
        ({"en": TEXT_EN}, "s", "next tuesday", "effective_from", "invalid_effective_from"),
        ({"en": TEXT_EN}, "s", 12345, "effective_from", "invalid_effective_from"),
    ],
)
def test_invalid_drafts_are_refused_field_by_field(app_ctx, texts, summary, effective_from, field, code):
    with pytest.raises(policy.PolicyInvalid) as refused:
        policy.publish(texts, summary, effective_from)
    assert refused.value.fields[field]["code"] == code
    assert refused.value.fields[field]["message"]
    assert version_count() == 0


def test_every_invalid_field_is_reported_at_once(app_ctx):
    with pytest.raises(policy.PolicyInvalid) as refused:
        policy.publish({"ru": TEXT_RU}, "", "soon")
    assert set(refused.value.fields) == {"texts.en", "summary", "effective_from"}


def test_texts_are_stored_with_one_newline_convention(make_policy):
    version = make_policy(texts={"en": "# Title\r\n\r\nBody\r\n\r\n\r\n"})
    assert policy.get_version(version.number).texts["en"] == "# Title\n\nBody\n"


# --- withdrawal ----------------------------------------------------------------------------


def test_an_upcoming_version_can_be_withdrawn(make_policy, clock):
    make_policy()
    make_policy(T0 + DAY)
    clock.now = T0 + DAY - TICK
    withdrawn = policy.withdraw(2)
    assert withdrawn.withdrawn_at == T0 + DAY - TICK
    assert policy.in_force(T0 + 2 * DAY).number == 1


@pytest.mark.parametrize("number, code", [(1, "not_upcoming"), (3, "already_withdrawn"), (9, "unknown_version")])
def test_withdrawal_is_refused_unless_upcoming(make_policy, number, code):
    make_policy()
    make_policy(T0 + DAY)
    make_policy(T0 + 2 * DAY)
    policy.withdraw(3)
    with pytest.raises(ServiceError) as refused:
        policy.withdraw(number)
    assert refused.value.code == code


def test_a_version_that_took_effect_cannot_be_withdrawn(make_policy, clock):
    make_policy()
    make_policy(T0 + DAY)
    clock.now = T0 + DAY
    with pytest.raises(ServiceError) as refused:
        policy.withdraw(2)
    assert refused.value.code == "not_upcoming"


# --- rendering -----------------------------------------------------------------------------


def test_text_in_the_visitors_language_is_chosen(make_policy):
    version = make_policy(texts={"en": TEXT_EN, "ru": TEXT_RU})
    text, fallback = policy.text_for(version, "ru")
    assert (text.locale, text.title, fallback) == ("ru", "Политика конфиденциальности", False)
    assert "храним" in text.html


def test_missing_language_falls_back_to_the_controlling_text(make_policy):
    version = make_policy(texts={"en": TEXT_EN, "ru": TEXT_RU})
    text, fallback = policy.text_for(version, "de")
    assert (text.locale, text.is_controlling, fallback) == ("en", True, True)


def test_rendered_html_is_cached_per_version(make_policy, app_ctx):
    version = make_policy()
    first = policy.rendered_texts(version)
    assert policy.rendered_texts(policy.get_version(version.number, with_texts=False)) is first


def test_preview_is_sanitized(app_ctx):
    html = policy.preview_html('<script>alert(1)</script> [x](javascript:alert(1))')
    assert "<script" not in html
    assert "href" not in html


def test_word_diff_rebuilds_both_texts():
    old, new = "We keep chat messages for 30 days.", "We keep chat messages for 14 days only."
    pieces = policy.word_diff(old, new)
    assert "".join(t for kind, t in pieces if kind != "insert") == old
    assert "".join(t for kind, t in pieces if kind != "delete") == new
    assert ("delete", "30") in pieces and ("insert", "14") in pieces


def test_draft_diff_compares_with_the_version_in_force(make_policy):
    make_policy(texts={"en": TEXT_EN, "ru": TEXT_RU})
    base, diffs = policy.diff_against("current", {"en": TEXT_EN.replace("nothing", "little"), "de": "# Hallo\n"})
    assert base.number == 1
    assert {d.locale: d.status for d in diffs} == {"de": "added", "en": "changed", "ru": "removed"}


# --- the hash chain ------------------------------------------------------------------------


def test_each_version_links_to_the_previous_hash(make_policy):
    first = make_policy()
    second = make_policy(T0 + DAY)
    assert first.prev_sha256 is None
    assert second.prev_sha256 == first.sha256
    assert second.sha256 == policy.content_sha256(policy.get_version(2))


def test_an_untouched_chain_verifies(make_policy):
    make_policy()
    make_policy(T0 + DAY, texts={"en": TEXT_EN, "ru": TEXT_RU})
    policy.withdraw(2)  # withdrawal is not part of the hashed content
    assert policy.verify_chain() == (2, [])


def _tamper(sql: str, trigger: str):
    # Bypass the database's refusal the way an attacker with raw access would.
    with storage.transaction() as conn:
        conn.execute(text(f"DROP TRIGGER {trigger}"))
        conn.execute(text(sql))


def test_a_text_edited_behind_the_apps_back_breaks_the_chain(make_policy):
    make_policy()
    make_policy(T0 + DAY)
    _tamper("UPDATE policy_texts SET markdown = 'We sell your data.' WHERE version_number = 1",
            "policy_texts_refuse_update")
    checked, breaks = policy.verify_chain()
    assert checked == 2
    assert [(b.number, b.code) for b in breaks] == [(1, "content_mismatch")]


def test_a_rewritten_version_with_a_recomputed_hash_breaks_the_next_link(make_policy):
    make_policy()
    make_policy(T0 + DAY)
    forged = policy.PolicyVersion(**{**policy.get_version(1).__dict__, "summary": "Forged."})
    forged_sha = policy.content_sha256(forged)
    _tamper(f"UPDATE policy_versions SET summary = 'Forged.', sha256 = '{forged_sha}' WHERE number = 1",
            "policy_versions_refuse_update")
    assert [(b.number, b.code) for b in policy.verify_chain()[1]] == [(2, "prev_mismatch")]


def test_a_missing_version_is_reported_as_a_gap(make_policy):
    versions = [make_policy(), make_policy(T0 + DAY), make_policy(T0 + 2 * DAY)]
    codes = {(b.number, b.code) for b in policy.find_chain_breaks([versions[0], versions[2]])}
    assert codes == {(3, "number_gap"), (3, "prev_mismatch")}


# --- first run -----------------------------------------------------------------------------


def test_setup_publishes_the_shipped_version_once(app, app_ctx):
    publish_shipped_policy(app)
    publish_shipped_policy(app)
    state = policy.current_state()
    assert [v.number for v in state.versions] == [1]
    version = policy.get_version(1)
    assert set(version.texts) == set(LOCALES)
    assert version.controlling_locale == "en"
    assert policy.text_for(version, "ar")[0].title
    assert policy.verify_chain() == (1, [])
