"""Chat images over HTTP and in messages: who may upload and read them, the headers, the events,
and that they go with their conversation."""

import io
import random
import uuid
from datetime import timedelta

import pytest
from PIL import Image

from clipai import storage
from clipai.services import conversations, retention
from clipai.storage.schema import attachments as attachments_table
from tests.fixtures.images import make_image

CHAT = "/chat"
CONSOLE = "/console"
URL = "/api/chat/attachments"


@pytest.fixture
def visitor(socket_client):
    def connect(**auth):
        return socket_client(CHAT, auth=auth or None)

    return connect


def send(client, text="Here is my screen", attachments=None, client_msg_id=None, namespace=CHAT, **extra):
    payload = {"text": text, "client_msg_id": client_msg_id or uuid.uuid4().hex, **extra}
    if attachments is not None:
        payload["attachments"] = attachments
    return client.emit("message", payload, namespace=namespace, callback=True)


@pytest.fixture
def conversation(visitor):
    """A visitor with a conversation: ``(client, conversation block)``."""
    client = visitor()
    ack = send(client, "Hello")
    assert ack["ok"], ack
    client.get_received(CHAT)
    return client, ack["conversation"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def multipart(data: bytes, name: str) -> bytes:
    """The body a browser's FormData sends (built here: the test client would spool it to a file)."""
    return (f'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            'Content-Type: image/png\r\n\r\n').encode() + data + b"\r\n--b0undary--\r\n"


def upload(client, token, data=None, name="shot.png", conversation_id=None, **headers):
    query = f"?conversation_id={conversation_id}" if conversation_id else ""
    return client.post(URL + query, data=multipart(make_image() if data is None else data, name),
                       headers={**bearer(token), **headers}, content_type="multipart/form-data; boundary=b0undary")


def uploaded(client, token, **kwargs) -> dict:
    response = upload(client, token, **kwargs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["attachment"]


def stored_rows(app):
    with app.app_context(), storage.reading() as conn:
        return conn.execute(attachments_table.select()).all()


# --- upload --------------------------------------------------------------------------------


def test_visitor_uploads_an_image_with_the_conversation_token(client, conversation):
    _, block = conversation
    attachment = uploaded(client, block["token"])
    assert attachment == {"id": attachment["id"], "url": f"{URL}/{attachment['id']}", "content_type": "image/png",
                          "width": 30, "height": 60}


def test_upload_without_a_token_is_unauthorized(client):
    response = client.post(URL, data={"file": (io.BytesIO(make_image()), "a.png")}, content_type="multipart/form-data")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_upload_with_an_unknown_token_finds_no_conversation(client):
    response = upload(client, "not-a-token")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_svg_is_refused_with_a_localized_message(client, conversation):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = upload(client, conversation[1]["token"], data=svg, name="x.png", **{"Accept-Language": "de"})
    assert response.status_code == 415
    assert response.get_json()["error"] == {"code": "unsupported_type",
                                            "message": "Nur PNG-, JPEG- und WebP-Bilder können angehängt werden."}


@pytest.mark.parametrize("settings", [{"CHAT_ATTACHMENT_MAX_BYTES": 1024 * 1024}])
def test_an_image_over_the_limit_is_refused_before_it_is_read(client, conversation):
    noise = Image.frombytes("RGB", (800, 800), random.Random(1).randbytes(1_920_000))  # does not compress
    out = io.BytesIO()
    noise.save(out, "PNG")
    response = upload(client, conversation[1]["token"], data=out.getvalue())
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert response.get_json()["error"]["max"] == 1
    assert "1 MB" in response.get_json()["error"]["message"]


def test_a_broken_image_is_refused(client, conversation):
    response = upload(client, conversation[1]["token"], data=make_image()[:200])
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_image"


@pytest.mark.parametrize("settings", [{"CHAT_UPLOAD_LIMITS": "2 per minute"}])
def test_uploads_are_rate_limited(client, conversation):
    token = conversation[1]["token"]
    uploaded(client, token)
    uploaded(client, token)
    response = upload(client, token)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_unsent_uploads_are_capped(client, conversation):
    token = conversation[1]["token"]
    for _ in range(8):
        uploaded(client, token)
    response = upload(client, token)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "too_many_attachments"


def test_upload_sets_no_cookie(client, conversation):
    response = upload(client, conversation[1]["token"])
    assert "Set-Cookie" not in response.headers


# --- reading -------------------------------------------------------------------------------


def test_the_token_holder_gets_the_image_with_private_headers(client, conversation):
    token = conversation[1]["token"]
    attachment = uploaded(client, token)
    response = client.get(attachment["url"], headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == f'inline; filename="image-{attachment["id"]}.png"'
    assert Image.open(io.BytesIO(response.data)).size == (30, 60)
    assert b"SecretCam" not in response.data


def test_another_conversations_token_gets_404(client, conversation, visitor):
    attachment = uploaded(client, conversation[1]["token"])
    other = send(visitor(), "Someone else")["conversation"]["token"]
    response = client.get(attachment["url"], headers=bearer(other))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_no_token_gets_401(client, conversation):
    attachment = uploaded(client, conversation[1]["token"])
    assert client.get(attachment["url"]).status_code == 401


def test_a_cookie_or_query_token_is_not_enough(client, conversation):
    token = conversation[1]["token"]
    attachment = uploaded(client, token)
    assert client.get(f"{attachment['url']}?token={token}").status_code == 401


def test_an_operator_reads_any_image(client, conversation, make_token):
    attachment = uploaded(client, conversation[1]["token"])
    _, operator_token = make_token()
    assert client.get(attachment["url"], headers=bearer(operator_token)).status_code == 200


def test_a_maintainer_without_the_operator_role_gets_404(client, conversation, make_token):
    attachment = uploaded(client, conversation[1]["token"])
    _, token = make_token(roles=("maintainer",))
    assert client.get(attachment["url"], headers=bearer(token)).status_code == 404


def test_a_visitor_takes_back_an_unsent_image(client, conversation):
    token = conversation[1]["token"]
    attachment = uploaded(client, token)
    assert client.delete(attachment["url"], headers=bearer(token)).status_code == 204
    assert client.get(attachment["url"], headers=bearer(token)).status_code == 404


# --- messages ------------------------------------------------------------------------------


def test_a_message_with_images_carries_them_in_the_ack_and_to_operators(client, conversation, socket_client,
                                                                         make_token):
    visitor_socket, block = conversation
    _, operator_token = make_token()
    console = socket_client(CONSOLE, auth={"token": operator_token})
    console.get_received(CONSOLE)
    first, second = uploaded(client, block["token"]), uploaded(client, block["token"])
    ack = send(visitor_socket, "", attachments=[first["id"], second["id"]])
    assert ack["ok"], ack
    assert ack["message"]["text"] == ""
    assert ack["message"]["attachments"] == [first, second]
    heard = [item["args"] for item in console.get_received(CONSOLE) if item["name"] == "message"]
    assert heard[0]["attachments"] == [first, second]


def test_history_carries_the_images(client, conversation):
    visitor_socket, block = conversation
    attachment = uploaded(client, block["token"])
    send(visitor_socket, "See", attachments=[attachment["id"]])
    history = visitor_socket.emit("history", {"after": 0}, namespace=CHAT, callback=True)
    assert [message.get("attachments") for message in history["messages"]] == [None, [attachment]]


def test_text_only_messages_carry_no_attachments_field(conversation):
    ack = send(conversation[0], "Just words")
    assert "attachments" not in ack["message"]


def test_an_image_of_another_conversation_cannot_be_sent(client, conversation, visitor):
    other = send(visitor(), "Someone else")["conversation"]["token"]
    foreign = uploaded(client, other)
    ack = send(conversation[0], "Mine?", attachments=[foreign["id"]])
    assert ack["error"]["code"] == "attachment_missing"
    assert send(conversation[0], "Text still goes")["ok"]


def test_an_image_is_sent_once(client, conversation):
    attachment = uploaded(client, conversation[1]["token"])
    assert send(conversation[0], "One", attachments=[attachment["id"]])["ok"]
    assert send(conversation[0], "Two", attachments=[attachment["id"]])["error"]["code"] == "attachment_missing"


def test_a_resend_answers_the_stored_message_with_its_images(client, conversation):
    attachment = uploaded(client, conversation[1]["token"])
    first = send(conversation[0], "Once", attachments=[attachment["id"]], client_msg_id="m-42")
    again = send(conversation[0], "Once", attachments=[attachment["id"]], client_msg_id="m-42")
    assert again["message"] == first["message"]


@pytest.mark.parametrize("ids", [[1, 2, 3, 4, 5], "1", [True], [0], [1, 1]])
def test_bad_attachment_lists_are_refused(conversation, ids):
    ack = send(conversation[0], "x", attachments=ids)
    assert ack["error"]["code"] == ("too_many_attachments" if len(ids) == 5 else "invalid")


def test_too_many_images_is_localized(visitor):
    client = visitor(locale="fr")
    send(client, "Bonjour")
    ack = send(client, "x", attachments=[1, 2, 3, 4, 5])
    assert ack["error"] == {"code": "too_many_attachments", "max": 4,
                            "message": "Un message peut contenir au plus 4 images."}


def test_without_images_an_empty_message_is_still_empty(conversation):
    assert send(conversation[0], "  ", attachments=[])["error"]["code"] == "empty"


def test_a_first_message_cannot_carry_images(visitor):
    assert send(visitor(), "", attachments=[1])["error"]["code"] == "attachment_missing"


def test_an_operator_uploads_and_sends_images(client, conversation, socket_client, make_token):
    visitor_socket, block = conversation
    _, operator_token = make_token()
    console = socket_client(CONSOLE, auth={"token": operator_token})
    attachment = uploaded(client, operator_token, conversation_id=block["id"])
    ack = send(console, "", attachments=[attachment["id"]], namespace=CONSOLE, conversation_id=block["id"])
    assert ack["ok"], ack
    heard = [item["args"] for item in visitor_socket.get_received(CHAT) if item["name"] == "message"]
    assert heard[0]["attachments"] == [attachment] and "operator_id" not in heard[0]
    assert client.get(attachment["url"], headers=bearer(block["token"])).status_code == 200


def test_an_operator_upload_needs_an_operator_token(client, conversation, make_token):
    _, token = make_token(roles=("maintainer",))
    assert upload(client, token, conversation_id=conversation[1]["id"]).status_code == 401
    assert upload(client, conversation[1]["token"], conversation_id=conversation[1]["id"]).status_code == 401


def test_the_visitor_sees_an_operators_image_only_once_it_is_sent(client, conversation, socket_client, make_token):
    _, operator_token = make_token()
    console = socket_client(CONSOLE, auth={"token": operator_token})
    attachment = uploaded(client, operator_token, conversation_id=conversation[1]["id"])
    visitor_headers = bearer(conversation[1]["token"])
    assert client.get(attachment["url"], headers=visitor_headers).status_code == 404
    send(console, "", attachments=[attachment["id"]], namespace=CONSOLE, conversation_id=conversation[1]["id"])
    assert client.get(attachment["url"], headers=visitor_headers).status_code == 200


def test_a_visitor_cannot_send_an_operators_upload(client, conversation, make_token):
    _, operator_token = make_token()
    attachment = uploaded(client, operator_token, conversation_id=conversation[1]["id"])
    assert send(conversation[0], "x", attachments=[attachment["id"]])["error"]["code"] == "attachment_missing"


# --- retention -----------------------------------------------------------------------------


def test_erase_now_deletes_the_images(app, client, conversation):
    visitor_socket, block = conversation
    sent, unsent = uploaded(client, block["token"]), uploaded(client, block["token"])
    send(visitor_socket, "x", attachments=[sent["id"]])
    assert len(stored_rows(app)) == 2
    assert visitor_socket.emit("erase", {}, namespace=CHAT, callback=True)["ok"]
    assert stored_rows(app) == []


def test_the_retention_purge_deletes_the_images(app, client, conversation, clock):
    visitor_socket, block = conversation
    send(visitor_socket, "x", attachments=[uploaded(client, block["token"])["id"]])
    clock.now += timedelta(days=31)
    with app.app_context():
        assert retention.purge_expired() == 1
    assert stored_rows(app) == []


def test_unsent_images_are_purged_after_the_short_delay(app, client, conversation, clock):
    visitor_socket, block = conversation
    kept = uploaded(client, block["token"])
    send(visitor_socket, "x", attachments=[kept["id"]])
    unsent = uploaded(client, block["token"])
    clock.now += timedelta(minutes=29)
    with app.app_context():
        retention.purge_expired()
    assert len(stored_rows(app)) == 2
    clock.now += timedelta(minutes=2)
    with app.app_context():
        retention.purge_expired()
    assert [row.id for row in stored_rows(app)] == [kept["id"]]
    assert client.get(unsent["url"], headers=bearer(block["token"])).status_code == 404


def test_an_erased_image_leaves_no_bytes_in_the_database_files(app, client, conversation):
    from tests.services.test_retention import database_bytes

    visitor_socket, block = conversation
    raw = Image.frombytes("RGB", (27, 27), random.Random(7).randbytes(27 * 27 * 3))
    out = io.BytesIO()
    raw.save(out, "PNG", compress_level=0)
    attachment = uploaded(client, block["token"], data=out.getvalue())
    send(visitor_socket, "x", attachments=[attachment["id"]])
    stored = client.get(attachment["url"], headers=bearer(block["token"])).data
    assert stored in database_bytes(app)
    visitor_socket.emit("erase", {}, namespace=CHAT, callback=True)
    assert stored not in database_bytes(app)


# --- PostgreSQL ----------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_whole_life_of_an_image_on_postgresql(postgres_url, app_config):
    from clipai import create_app
    from clipai.services import attachments
    from clipai.storage import migrations

    app = create_app({**app_config, "DATABASE_URL": postgres_url})
    try:
        with app.app_context():
            migrations.upgrade(storage.engine())
            first = conversations.post_visitor_message(None, "Hello", "m-1", locale="en", address_key="a")
            stored = attachments.upload(first.conversation.id, "visitor", make_image("JPEG"))
            posted = conversations.post_visitor_message(first.conversation.id, "", "m-2", locale="en",
                                                        address_key="a", attachments=[stored.id])
            assert attachments.payloads(posted.message) == [attachments.payload(stored)]
            attachment, data = attachments.image_for(stored.id, first.token)
            assert Image.open(io.BytesIO(data)).size == (30, 60) and b"SecretCam" not in data
            conversations.erase(first.conversation.id)
            with storage.reading() as conn:
                assert conn.execute(attachments_table.select()).all() == []
    finally:
        storage.dispose(app)
