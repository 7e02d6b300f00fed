"""The conversation rules: validation, redaction, idempotency, states, search and canned replies."""

import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from clipai import signals, storage
from clipai.security import hash_token
from clipai.services import conversations
from clipai.services.errors import ServiceError
from clipai.storage import chat as chat_store

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def start(app_ctx):
    """Start a conversation with a first visitor message; return the Posted result."""

    def start(text="Hello, I need help", client_msg_id="m-1", locale="en", address="addr-1"):
        return conversations.post_visitor_message(None, text, client_msg_id, locale=locale, address_key=address)

    return start


@pytest.fixture
def received():
    """Collect what the chat signals send while a test runs."""
    log = []
    receivers = []
    for name in ("message_stored", "conversation_changed", "conversation_erased", "typing_changed"):
        def receiver(sender, _name=name, **kwargs):
            log.append((_name, kwargs))
        receivers.append(receiver)
        getattr(signals, name).connect(receiver)
    yield log
    for name, receiver in zip(("message_stored", "conversation_changed", "conversation_erased", "typing_changed"),
                              receivers):
        getattr(signals, name).disconnect(receiver)


def refused(code, call, *args, **kwargs):
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code
    return caught.value


# --- starting and resuming -----------------------------------------------------------------


def test_first_message_starts_a_conversation_with_a_long_random_token(start):
    posted = start()
    assert len(posted.token) >= 43  # token_urlsafe(32): 256 bits
    assert posted.conversation.status == "open"
    assert posted.message.author == "visitor" and posted.message.text == "Hello, I need help"


def test_only_hashes_of_the_token_and_resume_code_are_stored(start, app):
    posted = start()
    with storage.reading() as conn:
        row = conn.exec_driver_sql("SELECT token_hash, resume_code_hash FROM conversations").one()
    assert row.token_hash == hash_token(posted.token)
    assert posted.token not in row and posted.resume_code not in row
    assert posted.resume_code.replace("-", "") not in str(row)


def test_resume_code_is_short_grouped_and_unambiguous(start):
    code = start().resume_code
    assert len(code) == 12 and code[4] == "-" and code[9] == "-"
    assert not set(code.replace("-", "")) & set("IL0O1U")


def test_token_resumes_its_conversation(start):
    posted = start()
    assert conversations.resume(posted.token, "addr-1").id == posted.conversation.id


def test_resume_code_resumes_in_any_case_and_spacing(start):
    posted = start()
    typed = posted.resume_code.lower().replace("-", " ")
    assert conversations.resume(typed, "addr-2").id == posted.conversation.id


def test_unknown_token_is_unauthorized(start):
    start()
    refused("unauthorized", conversations.resume, "not-a-token", "addr-1")


@pytest.mark.parametrize("settings", [{"CHAT_RESUME_LIMITS": "3 per hour"}])
def test_resume_guesses_are_rate_limited(start):
    for _ in range(3):
        refused("unauthorized", conversations.resume, "AAAA-BBBB-CC", "guesser")
    error = refused("rate_limited", conversations.resume, "AAAA-BBBB-CC", "guesser")
    assert error.details["retry_after"] >= 1


@pytest.mark.parametrize("settings", [{"CHAT_RESUME_LIMITS": "2 per hour"}])
def test_successful_resumes_do_not_use_up_the_guess_limit(start):
    posted = start()
    for _ in range(5):
        conversations.resume(posted.resume_code, "addr-1")


@pytest.mark.parametrize("settings", [{"CHAT_NEW_CONVERSATION_LIMITS": "2 per hour"}])
def test_new_conversations_past_the_address_budget_need_a_challenge(start):
    start(client_msg_id="a")
    start(client_msg_id="b")
    error = refused("challenge_required", start, client_msg_id="c")
    assert error.details["challenge"]["maxNumber"] > 0 and error.details["reason"] == "needed"
    start(client_msg_id="d", address="another-network")


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, 42, ["hi"], {"text": "hi"}, b"hi"])
def test_text_must_be_a_string(start, text):
    refused("invalid", start, text=text)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", "\u200b\u200b", "\u200d\ufeff \u2060", "\u3164"])
def test_blank_or_invisible_text_is_empty(start, text):
    refused("empty", start, text=text)


@pytest.mark.parametrize("text", ["bell\x07", "nul\x00here", "esc\x1b[31m", "c1\x85", "del\x7f"])
def test_control_characters_are_refused(start, text):
    refused("invalid", start, text=text)


def test_lone_surrogates_are_refused(start):
    refused("invalid", start, text="broken \ud800 text")


def test_newlines_and_tabs_are_kept(start):
    assert start(text="line one\n\tline two").message.text == "line one\n\tline two"


def test_windows_line_endings_become_newlines(start):
    assert start(text="one\r\ntwo").message.text == "one\ntwo"


def test_text_is_nfc_normalised(start):
    assert start(text="Cafe\u0301").message.text == "Caf\u00e9"


def test_limit_counts_characters_after_normalisation(start):
    decomposed = "e\u0301" * 2000  # 4,000 code points, 2,000 after NFC
    assert len(start(text=decomposed).message.text) == 2000


def test_text_over_the_limit_is_too_long(start):
    error = refused("too_long", start, text="x" * 2001)
    assert error.details["max"] == 2000


def test_text_at_the_limit_is_accepted(start):
    assert len(start(text="x" * 2000).message.text) == 2000


@pytest.mark.parametrize("client_msg_id", [None, "", 7, "x" * 65, "has space", "tab\tid"])
def test_client_msg_id_is_required_and_printable(start, client_msg_id):
    refused("invalid", start, client_msg_id=client_msg_id)


# --- redaction -----------------------------------------------------------------------------


def test_personal_details_are_replaced_before_storing(start):
    posted = start(text="Mail me at jane.doe@example.com or call +49 30 901820")
    assert "jane.doe" not in posted.message.text and "901820" not in posted.message.text
    assert "[e-mail removed]" in posted.message.text
    assert posted.message.redacted == ("email", "phone")


def test_placeholders_are_in_the_conversation_language(start, app):
    posted = start(text="schreib an max@example.de", locale="de")
    with storage.reading() as conn:
        stored = chat_store.message_by_id(conn, posted.message.id)
    assert "max@example.de" not in stored.text
    assert stored.redacted == ("email",)


def test_local_numbers_use_the_language_region(start):
    posted = start(text="мой номер 8 (495) 123-45-67", locale="ru")
    assert posted.message.redacted == ("phone",)


def test_prices_and_versions_survive(start):
    posted = start(text="Version 2.4.1 costs 19.99 EUR since 2024-03-01")
    assert posted.message.text == "Version 2.4.1 costs 19.99 EUR since 2024-03-01"
    assert posted.message.redacted == ()


# --- messages ------------------------------------------------------------------------------


def test_visitor_message_is_appended_and_moves_the_erase_date(start, clock):
    first = start()
    clock.now = START + timedelta(days=3)
    second = conversations.post_visitor_message(first.conversation.id, "more", "m-2", locale="en", address_key="a")
    assert second.token is None and second.conversation is None  # a plain new message: no summary
    summary = conversations.conversation(first.conversation.id)
    assert summary.erase_after == START + timedelta(days=33)
    assert summary.last_activity_at == START + timedelta(days=3)


def test_retry_with_the_same_client_msg_id_returns_the_stored_message(start):
    first = start()
    again = conversations.post_visitor_message(first.conversation.id, "Hello, I need help", "m-1", locale="en",
                                               address_key="a")
    assert again.duplicate and again.message == first.message
    _, messages, _ = conversations.history(first.conversation.id)
    assert len(messages) == 1


def test_retry_sends_no_signal(start, received):
    first = start()
    received.clear()
    conversations.post_visitor_message(first.conversation.id, "x", "m-1", locale="en", address_key="a")
    assert received == []


@pytest.mark.parametrize("settings", [{"CHAT_MESSAGE_LIMITS": "1 per minute"}])
def test_retry_is_answered_even_when_rate_limited(start):
    first = start()
    conversations.post_visitor_message(first.conversation.id, "second", "m-2", locale="en", address_key="a")
    again = conversations.post_visitor_message(first.conversation.id, "second", "m-2", locale="en", address_key="a")
    assert again.duplicate and again.message.text == "second"
    refused("rate_limited", conversations.post_visitor_message, first.conversation.id, "third", "m-3",
            locale="en", address_key="a")


def test_message_after_the_conversation_was_erased_starts_a_new_one(start):
    first = start()
    conversations.erase(first.conversation.id)
    posted = conversations.post_visitor_message(first.conversation.id, "back again", "m-2", locale="en",
                                                address_key="a")
    assert posted.token and posted.conversation.id != first.conversation.id


def test_signals_follow_the_commit(start, received):
    posted = start()
    assert [name for name, _ in received] == ["conversation_changed", "message_stored"]
    assert received[0][1]["change"] == "created"
    assert received[1][1]["message"] == posted.message


def test_database_failure_at_commit_is_unavailable_and_announces_nothing(start, monkeypatch, received, failing_commit):
    first = start()
    received.clear()

    failing_commit()
    refused("unavailable", conversations.post_visitor_message, first.conversation.id, "lost", "m-2", locale="en",
            address_key="a")
    monkeypatch.undo()
    assert received == []
    _, messages, _ = conversations.history(first.conversation.id)
    assert [message.text for message in messages] == ["Hello, I need help"]


def test_database_errors_are_logged_without_what_the_visitor_wrote(start, monkeypatch, caplog):
    first = start()

    def broken_insert(conn, rows):
        raise OperationalError("INSERT INTO messages", rows, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(chat_store, "insert_new_messages", broken_insert)
    refused("unavailable", conversations.post_visitor_message, first.conversation.id, "my secret words", "m-2",
            locale="en", address_key="a")
    assert "database is locked" in caplog.text
    assert "my secret words" not in caplog.text


def test_operator_message_carries_the_alias_not_the_username(start, operator):
    posted = conversations.post_operator_message(start().conversation.id, operator, "How can I help?", "o-1")
    payload = conversations.for_visitor(posted.message)
    assert payload["alias"] == "Olga" and "olga.k" not in str(payload)
    assert posted.conversation.answered


def test_operator_retry_returns_the_stored_reply(start, operator, received):
    conversation_id = start().conversation.id
    first = conversations.post_operator_message(conversation_id, operator, "Hi", "o-1")
    received.clear()
    again = conversations.post_operator_message(conversation_id, operator, "Hi", "o-1")
    assert again.duplicate and again.message == first.message and received == []


def test_operator_message_is_not_redacted(start, operator):
    posted = conversations.post_operator_message(start().conversation.id, operator, "Write to support@clipai.pro",
                                                 "o-1")
    assert posted.message.text == "Write to support@clipai.pro"


def test_operator_reply_to_a_closed_conversation_is_refused(start, operator):
    conversation_id = start().conversation.id
    conversations.close(conversation_id)
    refused("closed", conversations.post_operator_message, conversation_id, operator, "too late", "o-1")


def test_operator_reply_to_an_unknown_conversation_is_not_found(app_ctx, operator):
    refused("not_found", conversations.post_operator_message, 999, operator, "hello?", "o-1")


def test_visitor_message_reopens_a_closed_conversation(start, received):
    conversation_id = start().conversation.id
    conversations.close(conversation_id)
    received.clear()
    posted = conversations.post_visitor_message(conversation_id, "still there?", "m-2", locale="en", address_key="a")
    assert posted.conversation.status == "open"
    assert ("conversation_changed", "reopened") in [(name, kw.get("change")) for name, kw in received]


# --- states --------------------------------------------------------------------------------


def test_queue_filters_waiting_open_and_closed(start, operator):
    waiting = start(client_msg_id="a").conversation.id
    answered = start(client_msg_id="b").conversation.id
    closed = start(client_msg_id="c").conversation.id
    conversations.post_operator_message(answered, operator, "Hi", "o-1")
    conversations.close(closed)
    assert [c.id for c in conversations.list_conversations("waiting")] == [waiting]
    assert [c.id for c in conversations.list_conversations("open")] == [answered]
    assert [c.id for c in conversations.list_conversations("closed")] == [closed]
    assert len(conversations.list_conversations()) == 3


def test_queue_is_newest_activity_first(start, clock):
    older = start(client_msg_id="a").conversation.id
    clock.now = START + timedelta(minutes=5)
    newer = start(client_msg_id="b").conversation.id
    clock.now = START + timedelta(minutes=10)
    conversations.post_visitor_message(older, "bump", "a-2", locale="en", address_key="a")
    assert [c.id for c in conversations.list_conversations()] == [older, newer]


def test_unknown_queue_filter_is_invalid(app_ctx):
    refused("invalid", conversations.list_conversations, "everything")


def test_unread_counts_visitor_messages_after_what_operators_saw(start):
    first = start()
    conversation_id = first.conversation.id
    conversations.post_visitor_message(conversation_id, "two", "m-2", locale="en", address_key="a")
    assert conversations.conversation(conversation_id).unread == 2
    summary = conversations.mark_seen(conversation_id, "operator", first.message.id)
    assert summary.unread == 1 and summary.operator_seen_up_to == first.message.id


def test_seen_never_moves_back_nor_past_the_last_message(start):
    posted = start()
    conversation_id = posted.conversation.id
    assert conversations.mark_seen(conversation_id, "visitor", 10_000).visitor_seen_up_to == posted.message.id
    assert conversations.mark_seen(conversation_id, "visitor", 0).visitor_seen_up_to == posted.message.id


def test_summary_shows_the_assigned_operator_by_alias(start, operator):
    conversation_id = start().conversation.id
    summary = conversations.summary(conversations.assign(conversation_id, operator.id))
    assert summary["assigned_to"] == {"id": operator.id, "alias": "Olga"}
    assert conversations.assign(conversation_id, None).assigned_to is None


def test_assign_to_an_unknown_operator_is_refused(start):
    refused("not_found", conversations.assign, start().conversation.id, 999)


def test_close_and_reopen(start, received):
    conversation_id = start().conversation.id
    received.clear()
    assert conversations.close(conversation_id).status == "closed"
    assert conversations.close(conversation_id).status == "closed"
    assert conversations.reopen(conversation_id).status == "open"
    assert [kw["change"] for name, kw in received if name == "conversation_changed"] == ["closed", "reopened"]


def test_typing_sends_a_signal_and_stores_nothing(start, received, operator):
    conversation_id = start().conversation.id
    received.clear()
    conversations.operator_typing(conversation_id, operator, True)
    assert received == [("typing_changed", {"conversation_id": conversation_id, "author": "operator",
                                            "active": True, "alias": "Olga", "origin_sid": None})]


def test_typing_needs_a_boolean(start):
    refused("invalid", conversations.set_typing, start().conversation.id, "visitor", "yes")


def test_history_pages_after_a_message(start):
    first = start()
    conversation_id = first.conversation.id
    for number in range(2, 6):
        conversations.post_visitor_message(conversation_id, f"m{number}", f"m-{number}", locale="en",
                                           address_key="a")
    _, page, more = conversations.history(conversation_id, first.message.id, limit=3)
    assert [message.text for message in page] == ["m2", "m3", "m4"] and more


def test_erase_deletes_messages_and_announces_it(start, received):
    conversation_id = start().conversation.id
    received.clear()
    conversations.erase(conversation_id)
    refused("not_found", conversations.history, conversation_id)
    assert received == [("conversation_erased", {"conversation_id": conversation_id, "origin_sid": None})]


# --- search and canned replies -------------------------------------------------------------


def test_search_finds_messages_across_conversations(start):
    one = start(text="My invoice is wrong", client_msg_id="a").conversation.id
    two = start(text="Where is the INVOICE?", client_msg_id="b").conversation.id
    start(text="Something else", client_msg_id="c")
    found = conversations.search("invoice")
    assert sorted(conversation.id for conversation, _ in found) == [one, two]


def test_search_treats_wildcards_literally(start):
    start(text="100% sure", client_msg_id="a")
    start(text="1000 sure", client_msg_id="b")
    assert [message.text for _, message in conversations.search("0%")] == ["100% sure"]


@pytest.mark.parametrize("query", [None, "", "   ", "x" * 101])
def test_search_needs_a_reasonable_query(app_ctx, query):
    refused("invalid", conversations.search, query)


def test_canned_replies_are_created_replaced_listed_and_deleted(app_ctx):
    created = conversations.save_canned("/Hello", "Hello! How can I help?")
    assert created.shortcut == "hello"
    replaced = conversations.save_canned("hello", "Hi there!")
    assert replaced.id == created.id
    assert [(reply.shortcut, reply.text) for reply in conversations.list_canned()] == [("hello", "Hi there!")]
    conversations.delete_canned(created.id)
    assert conversations.list_canned() == []
    refused("not_found", conversations.delete_canned, created.id)


@pytest.mark.parametrize("shortcut", [None, "", "has space", "x" * 33, "-dash-first"])
def test_canned_shortcut_must_be_simple(app_ctx, shortcut):
    refused("invalid", conversations.save_canned, shortcut, "text")


def test_canned_text_follows_the_message_rules(app_ctx):
    refused("empty", conversations.save_canned, "blank", "  ")
    refused("too_long", conversations.save_canned, "long", "x" * 2001)
