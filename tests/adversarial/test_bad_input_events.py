"""Hostile payloads on every field of both Socket.IO namespaces, through the Flask-SocketIO test client.

A refusal is always an ``{ok: false}`` ack with a stable code; ``unavailable`` would mean the input
reached a code path that failed, which is a bug for input the client controls.
"""

import unicodedata
import uuid

import pytest
from sqlalchemy import func, select

from clipai import storage
from clipai.storage.schema import messages

CHAT, CONSOLE = "/chat", "/console"
REFUSALS = {"invalid", "not_found", "empty", "too_long"}
NO_LIMITS = {
    "CHAT_MESSAGE_LIMITS": "100000/minute", "CHAT_EVENT_LIMITS": "100000/minute",
    "CHAT_NEW_CONVERSATION_LIMITS": "100000/minute", "CHAT_CONNECT_LIMITS": "100000/minute",
    "CONSOLE_EVENT_LIMITS": "100000/minute",
}

# Values of the wrong type or shape for a field; ids beyond 64 bits have their own test below.
NOT_STRINGS = [True, False, 1.5, float("inf"), -1, 0, [], [1], {}, {"id": 1}]
WRONG = [*NOT_STRINGS, "1", "1 OR 1=1", "../", "../../etc/passwd", "%00", "x" * 10_000]
WRONG_OR_MISSING = [None, *WRONG]
NOT_STRINGS_OR_MISSING = [None, *NOT_STRINGS]
HASHABLE_NOT_STRINGS = [True, False, 1.5, float("inf"), -1, 0]
NOT_BOOLEANS = [None, 0, 1, "true", "false", [], {}, 1.5]
NOT_POSITIONS = [value for value in WRONG if value != 0 or isinstance(value, bool)]  # 0 means "from the start"
HUGE_IDS = [2**63, 2**64, 10**30]


@pytest.fixture
def app_config(app_config):
    return {**app_config, **NO_LIMITS}


@pytest.fixture
def console(socket_client, make_token):
    _, token = make_token(roles=("operator",), alias="Olga")
    client = socket_client(CONSOLE, auth={"token": token})
    client.get_received(CONSOLE)
    return client


@pytest.fixture
def conversation_id(visitor):
    ack = say(visitor())
    assert ack["ok"], ack
    return ack["conversation"]["id"]


def call(client, namespace, event, payload):
    return client.emit(event, payload, namespace=namespace, callback=True)


def say(client, text="Hello", client_msg_id=None):
    return call(client, CHAT, "message", {"text": text, "client_msg_id": client_msg_id or uuid.uuid4().hex})


def events(client, namespace, name) -> list:
    """Payloads of the ``name`` events received (the test client unwraps ``message`` payloads)."""
    return [item["args"] if item["name"] == "message" else item["args"][0]
            for item in client.get_received(namespace) if item["name"] == name]


def stored_message_count(app) -> int:
    with app.app_context(), storage.reading() as conn:
        return conn.execute(select(func.count()).select_from(messages)).scalar_one()


def misanswered(answers) -> list:
    """The ``(value, ack)`` pairs whose ack is not a clean refusal."""
    return [(repr(value)[:40], ack) for value, ack in answers
            if not (isinstance(ack, dict) and ack.get("ok") is False and ack["error"]["code"] in REFUSALS)]


# --- every field of every event, with values of the wrong type or shape ----------------------

CHAT_FIELDS = [
    ("message", "text", {"client_msg_id": "m-1"}, [*NOT_STRINGS_OR_MISSING, "x" * 10_000]),
    ("message", "client_msg_id", {"text": "Hello"}, [*NOT_STRINGS_OR_MISSING, "", "x" * 65, "has space", "ünï", "\x00"]),
    ("typing", "active", {}, NOT_BOOLEANS),
    ("seen", "up_to", {}, NOT_POSITIONS),
    ("history", "after", {}, NOT_POSITIONS),
]
CONSOLE_FIELDS = [
    ("list", "status", {}, [*HASHABLE_NOT_STRINGS, "all", "OPEN", "../", "1 OR 1=1"]),
    ("history", "conversation_id", {}, WRONG_OR_MISSING),
    ("history", "after", {"conversation_id": "CID"}, NOT_POSITIONS),
    ("message", "conversation_id", {"text": "Hi", "client_msg_id": "o-1"}, WRONG_OR_MISSING),
    ("message", "text", {"conversation_id": "CID", "client_msg_id": "o-2"}, [*NOT_STRINGS_OR_MISSING, "x" * 10_000]),
    ("message", "client_msg_id", {"conversation_id": "CID", "text": "Hi"}, [*NOT_STRINGS_OR_MISSING, "", "x" * 65]),
    ("typing", "conversation_id", {"active": True}, WRONG_OR_MISSING),
    ("typing", "active", {"conversation_id": "CID"}, NOT_BOOLEANS),
    ("seen", "conversation_id", {"up_to": 1}, WRONG_OR_MISSING),
    ("seen", "up_to", {"conversation_id": "CID"}, NOT_POSITIONS),
    ("close", "conversation_id", {}, WRONG_OR_MISSING),
    ("reopen", "conversation_id", {}, WRONG_OR_MISSING),
    ("assign", "conversation_id", {}, WRONG_OR_MISSING),
    ("assign", "to", {"conversation_id": "CID"}, WRONG),  # None is "nobody", so it is not here
    ("presence", "status", {}, [*NOT_STRINGS_OR_MISSING, "busy", "ONLINE"]),
    ("canned_save", "shortcut", {"text": "Thanks!"}, [*NOT_STRINGS_OR_MISSING, "", "has space", "x" * 33, "../"]),
    ("canned_save", "text", {"shortcut": "thanks"}, [*NOT_STRINGS_OR_MISSING, "x" * 10_000]),
    ("canned_delete", "id", {}, WRONG_OR_MISSING),
    ("search", "query", {}, [*NOT_STRINGS_OR_MISSING, "", "   ", "x" * 101]),
]


def _fill(template: dict, conversation_id: int) -> dict:
    return {key: conversation_id if value == "CID" else value for key, value in template.items()}


@pytest.mark.parametrize(("event", "field", "rest", "values"), CHAT_FIELDS,
                         ids=[f"{event}.{field}" for event, field, _, _ in CHAT_FIELDS])
def test_chat_field_of_the_wrong_type_is_refused_cleanly(visitor, event, field, rest, values):
    fresh, started = visitor(), visitor()
    say(started)
    answers = [(value, call(client, CHAT, event, {**rest, field: value}))
               for client in (fresh, started) for value in values]
    assert misanswered(answers) == []


@pytest.mark.parametrize(("event", "field", "rest", "values"), CONSOLE_FIELDS,
                         ids=[f"{event}.{field}" for event, field, _, _ in CONSOLE_FIELDS])
def test_console_field_of_the_wrong_type_is_refused_cleanly(console, conversation_id, event, field, rest, values):
    answers = [(value, call(console, CONSOLE, event, {**_fill(rest, conversation_id), field: value}))
               for value in values]
    assert misanswered(answers) == []


NOT_OBJECTS = ["text", 5, 1.5, True, ["message"], [{"text": "Hi"}]]
CONSOLE_EVENTS = ["list", "history", "message", "typing", "seen", "close", "reopen", "assign", "presence",
                  "canned_list", "canned_save", "canned_delete", "search"]


@pytest.mark.parametrize("event", ["message", "typing", "seen", "history", "close", "erase"])
def test_chat_payload_that_is_not_an_object_is_invalid(visitor, event):
    client = visitor()
    say(client)
    assert misanswered([(payload, call(client, CHAT, event, payload)) for payload in NOT_OBJECTS]) == []


def test_console_payload_that_is_not_an_object_is_invalid(console):
    answers = [((event, payload), call(console, CONSOLE, event, payload))
               for event in CONSOLE_EVENTS for payload in NOT_OBJECTS]
    assert misanswered(answers) == []


# --- ids an attacker would try -----------------------------------------------------------------


BAD_IDS = ["1 OR 1=1", "1; DROP TABLE messages", "1' OR '1'='1", "../", "..%2f", "/etc/passwd", -1, 0, [], {}, [1],
           {"$gt": 0}, "1", 1.0, True]


def test_sql_and_path_shaped_conversation_ids_are_invalid(console, conversation_id):
    answers = [((event, bad_id), call(console, CONSOLE, event, {"conversation_id": bad_id, "text": "Hi",
                                                                "client_msg_id": "o-x", "active": True, "up_to": 1}))
               for bad_id in BAD_IDS for event in ("history", "close", "reopen", "assign", "seen", "typing", "message")]
    assert [(what, ack) for what, ack in answers if ack.get("error", {}).get("code") != "invalid"] == []
    assert call(console, CONSOLE, "history", {"conversation_id": conversation_id})["ok"]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_beyond_64_bits_are_refused_not_crashed(console, visitor, conversation_id, huge):
    answers = [(event, call(console, CONSOLE, event, {"conversation_id": huge, "text": "Hi", "client_msg_id": "o-h",
                                                      "active": True, "up_to": 1}))
               for event in ("history", "close", "reopen", "assign", "seen", "typing", "message")]
    answers += [("history.after", call(console, CONSOLE, "history", {"conversation_id": conversation_id,
                                                                     "after": huge})),
                ("assign.to", call(console, CONSOLE, "assign", {"conversation_id": conversation_id, "to": huge})),
                ("canned_delete.id", call(console, CONSOLE, "canned_delete", {"id": huge}))]
    client = visitor()
    say(client)
    answers.append(("chat history.after", call(client, CHAT, "history", {"after": huge})))
    assert misanswered(answers) == []


@pytest.mark.parametrize("status", [[], {}, ["open"]])
def test_list_with_an_unhashable_status_is_invalid(console, status):
    assert misanswered([(status, call(console, CONSOLE, "list", {"status": status}))]) == []


@pytest.mark.parametrize("query", ["\ud800", "a\udfffb", "\x00", "x\x00y"])
def test_search_with_unreadable_characters_is_invalid(console, conversation_id, query):
    assert misanswered([(query, call(console, CONSOLE, "search", {"query": query}))]) == []


# --- message text ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10_000, 2 * 1024 * 1024])
def test_oversize_visitor_message_is_too_long_and_nothing_is_stored(app, visitor, size):
    client = visitor()
    before = stored_message_count(app)
    ack = say(client, "x" * size)
    assert ack["ok"] is False and ack["error"]["code"] == "too_long" and ack["error"]["max"] == 2000
    assert stored_message_count(app) == before
    assert say(client, "still here")["ok"]


@pytest.mark.parametrize("size", [10_000, 2 * 1024 * 1024])
def test_oversize_operator_message_and_canned_reply_are_too_long(app, console, conversation_id, size):
    before = stored_message_count(app)
    reply = call(console, CONSOLE, "message", {"conversation_id": conversation_id, "text": "y" * size,
                                               "client_msg_id": "o-big"})
    canned = call(console, CONSOLE, "canned_save", {"shortcut": "big", "text": "y" * size})
    assert reply["error"]["code"] == canned["error"]["code"] == "too_long"
    assert stored_message_count(app) == before
    assert call(console, CONSOLE, "canned_list", {})["canned"] == []


BLANK = ["", " ", "\n\t  \n", "\u00a0", "\u3000", "\u2028\u2029", "\u200b", "\u200b\u200c\u200d\ufeff", "\u2060",
         "\u00ad", "\u061c", "\u180e", "\u3164", "\u115f\u1160", "\uffa0", "\u2800", "\u034f", "\U000e0020",
         "\u202e", "\u2066\u2069", "\u202a\u202c\u200f"]


def test_text_that_shows_nothing_is_empty_on_both_namespaces(console, conversation_id, visitor):
    client = visitor()
    answers = [(text, say(client, text)) for text in BLANK]
    answers += [(text, call(console, CONSOLE, "message", {"conversation_id": conversation_id, "text": text,
                                                          "client_msg_id": uuid.uuid4().hex})) for text in BLANK]
    assert [(text, ack) for text, ack in answers if ack.get("error", {}).get("code") != "empty"] == []


INVISIBLE_MARKS = ["\ufe0f", "\ufe00\ufe0f", "\U000e0100", "\u17b4\u17b5"]


@pytest.mark.parametrize("text", INVISIBLE_MARKS, ids=[t.encode("unicode_escape").decode() for t in INVISIBLE_MARKS])
def test_text_of_invisible_marks_only_is_empty(visitor, text):
    assert say(visitor(), text)["error"]["code"] == "empty"


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "a\x07b", "a\x1bb[31m", "a\x85b", "\x7f", "a\ud800b", "\udc00",
                                  "\ud83d", "y\udfffz"])
def test_control_characters_and_lone_surrogates_are_invalid(app, visitor, text):
    client = visitor()
    before = stored_message_count(app)
    assert say(client, text)["error"]["code"] == "invalid"
    assert stored_message_count(app) == before


@pytest.mark.parametrize("text", ["\u202egnp.exe", "abc\u202edcba\u202c done", "\u2067\u05e9\u05dc\u05d5\u05dd",
                                  "e" + "\u0301" * 1500, "Z\u0351\u0354\u0317" * 300, "\U0001f468\u200d\U0001f469"
                                  "\u200d\U0001f467" * 100])
def test_bidi_controls_and_combining_sequences_within_the_limit_are_kept_as_typed(visitor, text):
    client = visitor()
    ack = say(client, text)
    assert ack["ok"], ack
    assert ack["message"]["text"] == unicodedata.normalize("NFC", text)
    assert call(client, CHAT, "history", {"after": 0})["messages"][-1]["text"] == ack["message"]["text"]


@pytest.mark.parametrize("text", ["a" + "\u0301" * 10_000, "\u0301" * 3000, "\u200b" * 9000 + "x"])
def test_huge_combining_and_invisible_sequences_are_too_long(app, visitor, text):
    before = stored_message_count(app)
    assert say(visitor(), text)["error"]["code"] == "too_long"
    assert stored_message_count(app) == before


TEMPLATES = ["{{7*7}}", "{{ config }}", "{% debug %}", "${7*7}", "#{7*7}", "<%= 7*7 %>", "%(x)s", "%(name)s %s %d %n",
             "{0}", "{0.__class__.__mro__}", "{text}", "%", "{{", "}}{{", "\\x41\\u0041"]


def test_template_and_format_payloads_come_back_literally(console, visitor):
    client = visitor()
    conversation_id = say(client, "Hello")["conversation"]["id"]
    acks = [say(client, text)["message"]["text"] for text in TEMPLATES]
    client.get_received(CHAT)
    replies = [call(console, CONSOLE, "message", {"conversation_id": conversation_id, "text": text,
                                                  "client_msg_id": uuid.uuid4().hex})["message"]["text"]
               for text in TEMPLATES]
    delivered = [message["text"] for message in events(client, CHAT, "message")]
    history = [message["text"] for message in call(console, CONSOLE, "history",
                                                   {"conversation_id": conversation_id})["messages"]]
    assert acks == replies == delivered == TEMPLATES
    assert history == ["Hello", *TEMPLATES, *TEMPLATES]


def test_operator_alias_with_format_and_template_syntax_reaches_visitors_literally(socket_client, make_token,
                                                                                   visitor):
    alias = "%(name)s {0} {{7*7}}"
    _, token = make_token(roles=("operator",), alias=alias)
    operator = socket_client(CONSOLE, auth={"token": token})
    client = visitor()
    conversation_id = say(client)["conversation"]["id"]
    client.get_received(CHAT)
    call(operator, CONSOLE, "typing", {"conversation_id": conversation_id, "active": True})
    call(operator, CONSOLE, "message", {"conversation_id": conversation_id, "text": "Hi", "client_msg_id": "o-1"})
    received = client.get_received(CHAT)
    typing = [item["args"][0] for item in received if item["name"] == "typing"]
    delivered = [item["args"] for item in received if item["name"] == "message"]
    assert typing[0]["alias"] == alias and delivered[0]["alias"] == alias


# --- unknown events and garbage locales --------------------------------------------------------


UNKNOWN_EVENTS = ["nonexistent", "on_message", "__init__", "trigger_event", "emit", "send", "authorize",
                  "forget_conversation", "limit_event", "end_session_soon", "_started", "list_conversations",
                  "connect_error", "x" * 1000, ""]


def test_unknown_events_are_ignored_and_the_socket_keeps_working(app, visitor, console):
    client = visitor()
    answers = [call(client, CHAT, event, {"conversation_id": 1}) for event in UNKNOWN_EVENTS]
    answers += [call(console, CONSOLE, event, {"conversation_id": 1}) for event in UNKNOWN_EVENTS]
    assert [answer for answer in answers if answer not in (None, [])] == []  # no handler, no ack
    assert say(client)["ok"] and call(console, CONSOLE, "list", {})["ok"]


GARBAGE_LOCALES = ["xx", "../../etc/passwd", "en\x00ru", "x" * 5000, 42, [], {"a": 1}, None, "*", "q=0.9",
                   "zz-ZZ-x-private", "\ud800", "\n", "%(x)s"]


def test_garbage_locale_in_the_auth_falls_back_to_english(socket_client, make_token):
    _, token = make_token(roles=("operator",))
    refusals = []
    for locale in GARBAGE_LOCALES:
        client = socket_client(CHAT, auth={"locale": locale})
        operator = socket_client(CONSOLE, auth={"token": token, "locale": locale})
        assert client.is_connected(CHAT) and operator.is_connected(CONSOLE), locale
        refusals.append(call(client, CHAT, "message", {"text": "", "client_msg_id": "c-1"})["error"]["message"])
        refusals.append(call(operator, CONSOLE, "list", {"status": "x"})["error"]["message"])
    assert set(refusals) == {"Please type a message first.", "The status must be waiting, open or closed."}
