"""Transcript export: an operator downloads a conversation as text or JSON over HTTP."""

import uuid

import pytest

from clipai.services import conversations

CHAT = "/chat"
CONSOLE = "/console"


def transcript_url(conversation_id, kind=None):
    url = f"/api/console/conversations/{conversation_id}/transcript"
    return url + (f"?format={kind}" if kind else "")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def conversation(visitor, socket_client, make_token):
    """A conversation with a visitor's message (with an e-mail address) and Olga's reply."""
    client = visitor()
    ack = client.emit("message", {"text": "My mail is jo@example.com\nand the clip is silent",
                                  "client_msg_id": uuid.uuid4().hex}, namespace=CHAT, callback=True)
    conversation_id = ack["conversation"]["id"]
    _, token = make_token(username="olga.k", alias="Olga")
    console = socket_client(CONSOLE, auth={"token": token})
    console.emit("message", {"conversation_id": conversation_id, "text": "Let me check",
                             "client_msg_id": uuid.uuid4().hex}, namespace=CONSOLE, callback=True)
    return conversation_id, token


def test_text_transcript_is_an_uncached_attachment(client, conversation):
    conversation_id, token = conversation
    response = client.get(transcript_url(conversation_id), headers=bearer(token))
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"] == f'attachment; filename="clipai-conversation-{conversation_id}.txt"'
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    text = response.get_data(as_text=True)
    assert text.startswith(f"Conversation #{conversation_id}\nVisitor's language: English\n")
    assert "] Visitor: My mail is [e-mail removed]\n    and the clip is silent\n" in text
    assert "] Olga: Let me check\n" in text
    assert "olga.k" not in text and "jo@example.com" not in text


def test_json_transcript_has_the_documented_shape_and_no_visitor_identifier(client, conversation):
    conversation_id, token = conversation
    response = client.get(transcript_url(conversation_id, "json"), headers=bearer(token))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].endswith(f'filename="clipai-conversation-{conversation_id}.json"')
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["format"] == "clipai-transcript/1"
    assert set(body) == {"format", "exported_at", "conversation", "messages"}
    assert set(body["conversation"]) == {"id", "status", "locale", "created_at", "last_activity_at",
                                         "erase_after", "assigned_to"}
    assert body["conversation"]["id"] == conversation_id and body["conversation"]["status"] == "open"
    visitor_message, reply = body["messages"]
    assert set(visitor_message) == {"id", "author", "text", "created_at", "redacted"}
    assert visitor_message["redacted"] == ["email"]
    assert reply["author"] == "operator" and reply["alias"] == "Olga" and "operator_id" not in reply


def test_labels_follow_the_operators_language(client, conversation):
    conversation_id, token = conversation
    response = client.get(transcript_url(conversation_id), headers={**bearer(token), "Accept-Language": "de"})
    text = response.get_data(as_text=True)
    assert text.splitlines()[:2] == [f"Unterhaltung #{conversation_id}", "Sprache des Besuchers: Englisch"]


def test_every_message_is_exported_past_one_history_page(client, conversation, monkeypatch):
    from clipai.services.conversations import reading

    conversation_id, token = conversation
    monkeypatch.setattr(reading, "HISTORY_PAGE", 1)
    original = conversations.history
    monkeypatch.setattr(conversations, "history", lambda cid, after=None: original(cid, after, limit=1))
    body = client.get(transcript_url(conversation_id, "json"), headers=bearer(token)).get_json()
    assert [message["text"] for message in body["messages"]][-1] == "Let me check"
    assert len(body["messages"]) == 2


@pytest.mark.parametrize("headers, status, code", [
    ({}, 401, "unauthorized"),
    ({"Authorization": "Bearer nonsense"}, 401, "unauthorized"),
])
def test_export_needs_a_signed_in_operator(client, conversation, headers, status, code):
    response = client.get(transcript_url(conversation[0]), headers=headers)
    assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert "Visitor" not in response.get_data(as_text=True)


def test_a_maintainer_without_the_operator_role_is_refused(client, conversation, make_token):
    _, token = make_token(roles=("maintainer",))
    response = client.get(transcript_url(conversation[0]), headers=bearer(token))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


def test_unknown_conversation_and_format_are_clear_errors(client, conversation):
    conversation_id, token = conversation
    missing = client.get(transcript_url(conversation_id + 100), headers=bearer(token))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = client.get(transcript_url(conversation_id, "pdf"), headers=bearer(token))
    assert wrong.status_code == 400 and wrong.get_json()["error"]["message"] == "The format must be text or json."


def test_an_erased_conversation_can_no_longer_be_exported(client, conversation, visitor):
    conversation_id, token = conversation
    assert client.get(transcript_url(conversation_id), headers=bearer(token)).status_code == 200
    with client.application.app_context():
        conversations.erase(conversation_id)
    assert client.get(transcript_url(conversation_id), headers=bearer(token)).status_code == 404


@pytest.mark.parametrize("settings", [{"CONSOLE_EVENT_LIMITS": "2 per minute"}])
def test_exports_count_against_the_operators_action_limit(client, conversation):
    conversation_id, token = conversation
    # The conversation fixture's reply used one of the two actions.
    assert client.get(transcript_url(conversation_id), headers=bearer(token)).status_code == 200
    refused = client.get(transcript_url(conversation_id), headers=bearer(token))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["error"]["code"] == "rate_limited"
