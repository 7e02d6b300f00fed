"""Alerts when a conversation waits and no operator is online, against a real HTTP receiver and SMTP server."""

import hashlib
import hmac
import json
import queue
import ssl
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.fixtures.live import WAIT
from tests.fixtures.live_server import free_port

CANARY = "my name is Zoe Canary and my problem is 7d1f"
SECRET = "webhook-secret-61c2"
SITE = "https://support.clipai.example"


class Receiver:
    """An HTTP server on loopback that records each POST; ``fail_first`` answers 500 that many times."""

    def __init__(self, fail_first=0, hold=None):
        self.requests = queue.Queue()
        self.fail_first, self.hold = fail_first, hold
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.hold is not None:
                    receiver.hold.wait(WAIT)
                failing = receiver.fail_first > 0
                receiver.fail_first -= failing
                receiver.requests.put((self.headers, body, 500 if failing else 200))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self):
        return self.requests.get(timeout=WAIT)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(**kwargs):
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for item in made:
        item.close()


def channel_settings(*channels, **extra):
    return {"ALERT_CHANNELS": list(channels), "ALERT_BACKOFF_SECONDS": 0.01, "ALERT_MIN_INTERVAL_SECONDS": 0,
            "SITE_URL": SITE, **extra}


def start_conversation(visitor, text=CANARY) -> int:
    ack = visitor().emit("message", {"text": text, "client_msg_id": uuid.uuid4().hex}, namespace="/chat", callback=True)
    assert ack["ok"], ack
    return ack["conversation"]["id"]


@pytest.fixture
def hook(receiver, app_config):
    """A signed JSON webhook on a fresh receiver, configured before the app is built."""
    made = receiver()
    app_config.update(channel_settings({"type": "webhook", "url": made.url, "secret": SECRET}))
    return made


def test_webhook_alert_is_signed_and_carries_only_the_number_and_a_console_link(hook, app, visitor):
    conversation_id = start_conversation(visitor)
    headers, body, _ = hook.next()
    expected = hmac.new(SECRET.encode(), headers["X-ClipAI-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["X-ClipAI-Signature"] == f"sha256={expected.hexdigest()}"
    alert = json.loads(body)
    assert set(alert) == {"event", "conversation_id", "console_url", "sent_at"}
    assert alert["event"] == "conversation_waiting"
    assert alert["conversation_id"] == conversation_id and alert["console_url"] == f"{SITE}/console"
    assert "Zoe" not in body.decode() and "Zoe" not in str(headers)


def test_retries_with_backoff_until_accepted(receiver, app_config, request):
    flaky = receiver(fail_first=2)
    app_config.update(channel_settings({"type": "webhook", "url": flaky.url, "secret": SECRET}))
    app = request.getfixturevalue("app")
    start_conversation(request.getfixturevalue("visitor"))
    assert [flaky.next()[2] for _ in range(3)] == [500, 500, 200]
    assert app.extensions["clipai.alerts"].channels[0].name == "webhook-0"


def test_no_alert_while_an_operator_is_online(hook, app, visitor, socket_client, make_token):
    _, token = make_token()
    console = socket_client("/console", auth={"token": token})
    assert console.is_connected("/console")  # online from the moment it connects
    start_conversation(visitor, "first, seen by Olga")
    assert app.extensions["clipai.alerts"].queues == {}  # decided when it started: nothing queued
    console.disconnect(namespace="/console")
    second = start_conversation(visitor, "second, nobody online")
    _, body, _ = hook.next()
    assert json.loads(body)["conversation_id"] == second  # the first queued nothing: it would have come first


def test_the_chat_never_waits_for_a_slow_receiver(receiver, app_config, request):
    release = threading.Event()
    stuck = receiver(hold=release)
    app_config.update(channel_settings({"type": "webhook", "url": stuck.url, "secret": SECRET}))
    request.getfixturevalue("app")
    start_conversation(request.getfixturevalue("visitor"))  # acked while the receiver still holds the alert
    assert not release.is_set()
    release.set()
    assert stuck.next()[2] == 200


def test_slack_compatible_hook_gets_a_text_with_the_number_and_the_link(receiver, app_config, request):
    slack = receiver()
    app_config.update(channel_settings({"type": "slack", "url": slack.url, "secret": SECRET}))
    request.getfixturevalue("app")
    conversation_id = start_conversation(request.getfixturevalue("visitor"))
    headers, body, _ = slack.next()
    assert json.loads(body) == {"text": f"A visitor is waiting in conversation #{conversation_id} and no operator "
                                        f"is online. {SITE}/console"}
    assert headers["X-ClipAI-Signature"].startswith("sha256=")


class Inbox:
    """aiosmtpd handler keeping each delivered message and whether its session used TLS."""

    def __init__(self):
        self.messages = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        self.messages.put((envelope, session.ssl is not None))
        return "250 OK"


@pytest.fixture
def smtp_server(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True)
    controller.start()
    yield controller, inbox, cert
    controller.stop()


def test_email_alert_goes_over_starttls(smtp_server, app_config, request):
    controller, inbox, cert = smtp_server
    app_config.update(channel_settings({"type": "email", "host": "127.0.0.1", "port": controller.port,
                                        "from": "alerts@clipai.example", "to": ["team@clipai.example"],
                                        "cafile": str(cert)}))
    request.getfixturevalue("app")
    conversation_id = start_conversation(request.getfixturevalue("visitor"))
    envelope, encrypted = inbox.messages.get(timeout=WAIT)
    assert encrypted
    assert envelope.rcpt_tos == ["team@clipai.example"]
    content = envelope.content.decode()
    assert f"Subject: Conversation #{conversation_id} is waiting" in content
    assert f"{SITE}/console" in content and "Zoe" not in content
