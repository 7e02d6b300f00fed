"""Chat images against the real server: a multipart upload larger than the site's other bodies,
a message that names it, the operator hearing it and both sides fetching the image."""

import io
import random

import pytest
import requests
from PIL import Image

from tests.fixtures.images import make_image
from tests.fixtures.live import create_account

pytestmark = pytest.mark.server

WAIT = 10  # seconds; an upper bound for a loaded machine, never a measured timing


@pytest.fixture(params=["gevent", "eventlet"])
def server(live_server, database_url, request):
    """Both green servers: the image is decoded in the hub's native thread pool (clipai.runtime.offload)."""
    return live_server(async_mode=request.param, database_url=database_url)


def large_png() -> bytes:
    """A screenshot-sized PNG of noise: about 4.5 MB, over MAX_CONTENT_LENGTH (4 MB), under 5 MB."""
    image = Image.frombytes("RGB", (1250, 1250), random.Random(3).randbytes(1250 * 1250 * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_an_uploaded_image_travels_from_visitor_to_operator(server, peers, database_url):
    _, token = create_account(database_url, "olga.k", alias="Olga")
    operator = peers(server.url, "/console", auth={"token": token})
    visitor = peers(server.url, "/chat")
    conversation = visitor.say("Here is what I see")["conversation"]
    operator.next_event("message")
    data = large_png()
    assert 4 * 1024 * 1024 < len(data) < 5 * 1024 * 1024
    response = requests.post(f"{server.url}/api/chat/attachments", files={"file": ("screen.png", data, "image/png")},
                             headers={"Authorization": f"Bearer {conversation['token']}"}, timeout=WAIT)
    assert response.status_code == 201, response.text
    assert "Set-Cookie" not in response.headers
    attachment = response.json()["attachment"]
    ack = visitor.call("message", {"text": "", "client_msg_id": "v-2", "attachments": [attachment["id"]]})
    assert ack["ok"] and ack["message"]["attachments"] == [attachment]
    heard, _ = operator.next_event("message")
    assert heard["attachments"] == [attachment]
    image = requests.get(server.url + attachment["url"], headers={"Authorization": f"Bearer {token}"}, timeout=WAIT)
    assert image.status_code == 200 and image.headers["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(image.content)).size == (1250, 1250)


def test_an_oversize_upload_is_refused_with_the_images_message(server, peers):
    conversation = peers(server.url, "/chat").say("Hello")["conversation"]
    body = make_image() + b"\0" * (6 * 1024 * 1024)
    response = requests.post(f"{server.url}/api/chat/attachments?lang=fr",
                             files={"file": ("big.png", body, "image/png")},
                             headers={"Authorization": f"Bearer {conversation['token']}"}, timeout=WAIT)
    assert response.status_code == 413
    assert response.json()["error"] == {"code": "too_large", "max": 5,
                                        "message": "Chaque image peut faire au plus 5 Mo."}
