"""Property-based fuzzing (Hypothesis) of every validator that reads what clients send.

Each validator either returns a value that satisfies its contract or refuses with the documented
error; no input makes it raise anything else.
"""

import re
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipai import create_app, storage
from clipai.auth import bearer_token, current_user
from clipai.i18n import match_locale, select_locale
from clipai.services import accounts, conversations, policy
from clipai.services.errors import ServiceError
from tests.fixtures.redaction import redact
from clipai.storage import migrations

FUZZ = settings(max_examples=150, deadline=None, database=None)
SLOW_FUZZ = settings(max_examples=25, deadline=None, database=None)  # each example hashes a password
MAX_SQL_INTEGER = 2**63 - 1

# Any character, lone surrogates included (a JSON string may carry "\ud800").
any_char = st.characters() | st.characters(categories=["Cs"])
tricky_char = st.sampled_from(list("\x00\x07\t\n\r\x1b\x7f\x85\u00a0\u00ad\u034f\u061c\u115f\u180e\u200b\u200d\u202e"
                                   "\u2028\u2060\u2066\u3000\u3164\ufe0f\ufeff\ud800\udfff\u0301\u0345") + ["\U000e0020"])
texts = st.text(st.one_of(any_char, tricky_char), max_size=60) | st.builds(
    lambda head, body, tail: head + body + tail, st.text(tricky_char, max_size=5), st.text(max_size=30),
    st.text(tricky_char, max_size=5))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(any_char, max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    database = tmp_path_factory.mktemp("properties") / "properties.sqlite3"
    app = create_app({"TESTING": True, "SECRET_KEY": "properties", "ASYNC_MODE": "threading",
                      "DATABASE_URL": f"sqlite:///{database}", "CHAT_RESUME_LIMITS": "1000000/hour"})
    with app.app_context():
        migrations.upgrade(storage.engine(app))
    yield app
    storage.dispose(app)


@pytest.fixture(scope="module")
def ctx(app):
    with app.test_request_context("/"):
        yield app


def refusal_code(call, *args):
    """Run ``call``; return None when it accepted, the ServiceError code when it refused."""
    try:
        call(*args)
    except ServiceError as error:
        return error.code
    return None


# --- chat messages ---------------------------------------------------------------------------------


@FUZZ
@given(text=texts | st.text(max_size=2100).map(lambda text: text * 2))
def test_clean_text_returns_storable_normalised_text_or_a_documented_refusal(ctx, text):
    try:
        cleaned = conversations.clean_text(text)
    except ServiceError as error:
        assert error.code in {"invalid", "empty", "too_long"}
        return
    assert 0 < len(cleaned) <= 2000
    cleaned.encode("utf-8")  # no lone surrogates
    assert cleaned == cleaned.strip() == unicodedata.normalize("NFC", cleaned)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", cleaned)
    assert conversations.clean_text(cleaned) == cleaned


@FUZZ
@given(value=json_values)
def test_clean_text_refuses_anything_that_is_not_a_string(ctx, value):
    if not isinstance(value, str):
        assert refusal_code(conversations.clean_text, value) == "invalid"


@FUZZ
@given(value=json_values | st.text(st.characters(min_codepoint=0x1f, max_codepoint=0x80), max_size=70))
def test_client_msg_id_is_accepted_exactly_when_it_is_1_to_64_printable_ascii_characters(ctx, value):
    acceptable = isinstance(value, str) and 1 <= len(value) <= 64 and all(0x21 <= ord(c) <= 0x7E for c in value)
    assert (refusal_code(conversations.clean_client_msg_id, value) is None) == acceptable


@FUZZ
@given(value=json_values.filter(lambda v: not isinstance(v, int) or abs(v) <= MAX_SQL_INTEGER))
def test_ids_and_positions_are_accepted_exactly_when_they_are_integers_in_range(ctx, value):
    is_int = isinstance(value, int) and not isinstance(value, bool)
    assert (refusal_code(conversations.require_id, value) is None) == (is_int and value > 0)
    expected_position = value is None or (is_int and value >= 0)
    assert (refusal_code(conversations.require_position, value) is None) == expected_position


@FUZZ
@given(value=st.integers(min_value=MAX_SQL_INTEGER + 1))
def test_ids_beyond_what_the_database_stores_are_refused(ctx, value):
    assert refusal_code(conversations.require_id, value) == "invalid"
    assert refusal_code(conversations.require_position, value) == "invalid"


@FUZZ
@given(value=json_values | texts)
def test_resume_secrets_of_any_shape_are_refused_as_unauthorized(ctx, value):
    assert refusal_code(conversations.resume, value, "fuzz-address") in {"unauthorized", "rate_limited"}


@FUZZ
@given(value=texts)
def test_resume_code_normalisation_yields_a_code_of_the_alphabet_or_nothing(value):
    code = conversations.normalize_resume_code(value)
    assert code is None or (len(code) == 10 and set(code) <= set(conversations.RESUME_ALPHABET))


@FUZZ
@given(text=texts)
def test_redaction_never_fails(text):
    result = redact(text.encode("utf-8", "replace").decode("utf-8"))
    assert isinstance(result.text, str)


# --- locales ---------------------------------------------------------------------------------------


@FUZZ
@given(value=json_values | texts)
def test_locale_matching_yields_a_supported_locale_or_nothing(ctx, value):
    assert match_locale(value) in {None, *ctx.config["LANGUAGES"]}


@FUZZ
@given(accept=st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=80),
       lang=st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=20))
def test_any_accept_language_and_lang_select_a_supported_locale(app, accept, lang):
    with app.test_request_context("/", headers={"Accept-Language": accept}, query_string={"lang": lang}):
        assert select_locale() in app.config["LANGUAGES"]


@pytest.mark.parametrize(("tag", "expected"), [("de-AT", "de"), ("pt_BR", None), ("RU", "ru"), ("ar-EG", "ar"),
                                               ("en-GB-oxendict", "en"), ("x-klingon", None), ("", None)])
def test_locale_matching_examples(ctx, tag, expected):
    assert match_locale(tag) == expected


# --- tokens ----------------------------------------------------------------------------------------


@FUZZ
@given(header=st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=120))
def test_any_authorization_header_parses_to_a_token_or_nothing_and_signs_nobody_in(app, header):
    with app.test_request_context("/", headers={"Authorization": header}):
        token = bearer_token()
        assert token is None or (token and token == token.strip())
        assert current_user() is None


@FUZZ
@given(value=json_values | texts | st.text(min_size=190, max_size=260))
def test_token_lookup_of_any_value_finds_nobody(ctx, value):
    assert accounts.user_for_token(value) is None
    assert accounts.revoke_token(value) is False


# --- accounts --------------------------------------------------------------------------------------


@FUZZ
@given(username=json_values | texts | st.from_regex(r"[a-z0-9][a-z0-9._-]{0,70}\n?", fullmatch=True),
       password=json_values | texts, roles=st.lists(st.sampled_from(["operator", "maintainer", "admin", ""])))
def test_new_account_validation_accepts_only_clean_names_and_hashable_passwords(ctx, username, password, roles):
    code = refusal_code(accounts.validate_new_account, username, password, roles)
    if code is None:
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", username)
        assert isinstance(password, str) and len(password) >= 10
        password.encode("utf-8")
        assert roles and set(roles) <= {"operator", "maintainer"}
    else:
        assert code in {"invalid_username", "weak_password", "invalid_roles"}


def test_username_with_a_trailing_newline_is_refused(ctx):
    assert refusal_code(accounts.validate_new_account, "admin\n", "long-enough-password", ["operator"]) == \
        "invalid_username"


@SLOW_FUZZ
@given(username=json_values | texts, password=json_values | texts)
def test_sign_in_with_any_values_finds_nobody_and_never_fails(ctx, username, password):
    assert accounts.authenticate(username, password) is None


# --- policy drafts ---------------------------------------------------------------------------------

instants = st.one_of(
    st.none(), st.just(""), json_values, texts,
    st.datetimes(timezones=st.timezones()).map(lambda value: value.isoformat()),
    st.builds(lambda year, offset: f"{year:04d}-12-31T23:59:59{offset}", st.sampled_from([1, 9999]),
              st.sampled_from(["", "Z", "+14:00", "-12:00", "-00:01", "+23:59"])),
)


@FUZZ
@given(texts_field=json_values | st.dictionaries(st.sampled_from(["en", "ru", "ar", "xx", "e\ud800"]),
                                                 json_values | texts, max_size=3),
       summary=json_values | texts, effective_from=instants,
       controlling=st.sampled_from(["en", "ru", "xx", "", None, 5, ["en"], {"en": 1}, "\ud800"]))
def test_policy_draft_validation_returns_storable_fields_or_field_errors(ctx, texts_field, summary, effective_from,
                                                                         controlling):
    try:
        cleaned_texts, cleaned_summary, requested, locale, _summaries = policy.validate_draft(
            texts_field, summary, effective_from, controlling)
    except policy.PolicyInvalid as error:
        assert error.fields and all(item["code"] for item in error.fields.values())
        return
    assert cleaned_texts and locale in cleaned_texts
    for text in [*cleaned_texts.values(), cleaned_summary]:
        text.encode("utf-8")
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    assert requested is None or requested.tzinfo == UTC


@FUZZ
@given(value=instants)
def test_instant_parsing_yields_an_aware_utc_instant_or_a_value_error(value):
    try:
        parsed = policy.parse_instant(value)
    except ValueError:
        return
    assert parsed.tzinfo == UTC and datetime.min.replace(tzinfo=UTC) <= parsed


@FUZZ
@given(source=json_values | texts)
def test_policy_preview_renders_or_refuses_any_source(ctx, source):
    try:
        html = policy.preview_html(source)
    except ServiceError as error:
        assert error.code in {"invalid_markdown", "text_too_long", "invalid_characters"}
        return
    html.encode("utf-8")
    assert "<script" not in html.lower()
