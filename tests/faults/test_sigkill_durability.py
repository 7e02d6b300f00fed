"""SIGKILL the real server while a visitor sends a message every 50 ms, restart it on the same database,
resend what was not acknowledged: every acknowledged message is stored exactly once, in order."""

import random
import threading
import time

import pytest

pytestmark = pytest.mark.server

ROUNDS = 20
SEND_EVERY = 0.05  # seconds between messages, as the issue asks
SETTINGS = {"CHAT_MESSAGE_LIMITS": "100000/minute", "CHAT_CONNECT_LIMITS": "100000/minute",
            "CHAT_RESUME_LIMITS": "100000/hour", "SOCKETIO_HANDSHAKE_LIMITS": "100000/minute"}


class Sender:
    """One visitor's messages: numbered client ids, which were sent, which were acknowledged."""

    def __init__(self):
        self.next_number = 0
        self.acked = {}  # client_msg_id -> stored message id
        self.unacked = []  # client_msg_ids sent without an ack yet, in sending order
        self.lock = threading.Lock()

    def new_id(self) -> str:
        self.next_number += 1
        return f"m-{self.next_number:05d}"

    def record(self, client_msg_id, ack):
        with self.lock:
            if isinstance(ack, dict) and ack.get("ok"):
                self.acked[client_msg_id] = ack["message"]["id"]
                if client_msg_id in self.unacked:
                    self.unacked.remove(client_msg_id)

    def stream(self, peer, count: int, kill):
        """Send ``count`` messages ``SEND_EVERY`` apart without waiting for acks; kill the server midway."""
        kill_after = random.randint(1, count)
        for sent in range(count):
            client_msg_id = self.new_id()
            with self.lock:
                self.unacked.append(client_msg_id)
            try:
                peer.emit("message", {"text": f"message {client_msg_id}", "client_msg_id": client_msg_id},
                          callback=lambda ack, cid=client_msg_id: self.record(cid, ack))
            except Exception:  # the connection is already gone
                pass
            if sent + 1 == kill_after:
                kill()
            time.sleep(SEND_EVERY)

    def resend_unacked(self, peer):
        """Send again, in order, each message whose ack never came (same client_msg_id)."""
        for client_msg_id in list(self.unacked):
            self.record(client_msg_id, peer.say(f"message {client_msg_id}", client_msg_id=client_msg_id))
        assert self.unacked == []


def test_every_acknowledged_message_survives_sigkill_exactly_once_in_order(start_server, database_url, live):
    sender = Sender()
    server = start_server(settings=SETTINGS)
    first = live.Peer(server.url, "/chat")
    opening = first.say("message m-00000", client_msg_id="m-00000")
    sender.record("m-00000", opening)
    conversation = opening["conversation"]
    first.close()
    for _ in range(ROUNDS):
        peer = live.Peer(server.url, "/chat", auth={"token": conversation["token"]})
        sender.resend_unacked(peer)
        sender.stream(peer, random.randint(3, 10), kill=server.kill)
        peer.close()
        assert live.integrity(database_url) == "ok"
        server = start_server(settings=SETTINGS)
    peer = live.Peer(server.url, "/chat", auth={"token": conversation["token"]})
    sender.resend_unacked(peer)
    peer.close()

    rows = live.query(database_url, "SELECT id, client_msg_id FROM messages WHERE conversation_id = ? ORDER BY id",
                      conversation["id"])
    stored_ids = [client_msg_id for _, client_msg_id in rows]
    assert len(stored_ids) == len(set(stored_ids)), "a message was stored twice"
    assert stored_ids == sorted(stored_ids), "messages were stored out of order"
    assert {client_msg_id: message_id for message_id, client_msg_id in rows} == sender.acked
    assert len(sender.acked) > ROUNDS  # the rounds really sent something
    assert live.integrity(database_url) == "ok"
