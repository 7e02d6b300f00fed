"""Visitors, operators and two retention purges (the server's job and a separate process) on one SQLite
database at once, for a bounded period: no client ever hears "database is locked" or ``unavailable``.

Marked ``soak``: it runs for DURATION seconds on purpose (deselect with ``-m "not soak"``).
"""

import random
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

pytestmark = [pytest.mark.server, pytest.mark.soak]

DURATION = 20  # seconds of concurrent load
VISITORS, OPERATORS = 6, 2
SETTINGS = {
    "TRUSTED_PROXIES": 1, "CHAT_RETENTION_DAYS": 0, "CHAT_PURGE_INTERVAL_SECONDS": 1,
    "CHAT_MESSAGE_LIMITS": "100000/minute", "CHAT_NEW_CONVERSATION_LIMITS": "100000/hour",
    "CHAT_EVENT_LIMITS": "100000/minute", "CONSOLE_EVENT_LIMITS": "100000/minute",
    "CHAT_CONNECT_LIMITS": "100000/minute", "SOCKETIO_HANDSHAKE_LIMITS": "100000/minute",
}
PURGE_LOOP = textwrap.dedent("""
    import sys, time
    from datetime import UTC, datetime, timedelta
    from clipai import create_app
    from clipai.services import retention
    later = datetime.now(UTC) + timedelta(days=1)
    app = create_app({"DATABASE_URL": sys.argv[1], "ASYNC_MODE": "threading", "SECRET_KEY": "x",
                      "CLOCK": lambda: later})
    deadline, erased = time.monotonic() + float(sys.argv[2]), 0
    with app.app_context():
        while time.monotonic() < deadline:
            erased += retention.purge_expired()
            time.sleep(0.2)
    print("erased", erased)
""")


class Tally:
    """Acks by outcome, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.codes = {}
        self.failures = []

    def count(self, who, ack):
        code = "ok" if isinstance(ack, dict) and ack.get("ok") else (
            ack["error"]["code"] if isinstance(ack, dict) else repr(ack))
        with self.lock:
            self.codes[(who, code)] = self.codes.get((who, code), 0) + 1

    def total(self, who, code) -> int:
        return sum(count for (name, seen), count in self.codes.items() if name.startswith(who) and seen == code)

    def seen_codes(self) -> set:
        return {code for _, code in self.codes}


def visit(live, url, number, deadline, tally):
    try:
        peer = live.Peer(url, "/chat", headers={"X-Forwarded-For": f"198.51.100.{number + 10}"})
        while time.monotonic() < deadline:
            tally.count(f"visitor-{number}", peer.say(f"question {uuid.uuid4().hex[:8]} from {number}"))
            time.sleep(random.uniform(0.02, 0.1))
        peer.close()
    except Exception as error:  # a timeout or a dropped connection is a failure of the server
        tally.failures.append(f"visitor {number}: {error!r}")


def operate(live, url, token, deadline, tally):
    try:
        peer = live.Peer(url, "/console", auth={"token": token})
        while time.monotonic() < deadline:
            listed = peer.call("list")
            tally.count("operator-list", listed)
            for conversation in (listed.get("conversations") or [])[:3]:
                cid = conversation["id"]
                tally.count("operator-reply", peer.say("We are looking into it", conversation_id=cid))
                tally.count("operator-history", peer.call("history", {"conversation_id": cid}))
                tally.count("operator-seen", peer.call("seen", {"conversation_id": cid, "up_to": 10**9}))
            time.sleep(random.uniform(0.02, 0.1))
        peer.close()
    except Exception as error:
        tally.failures.append(f"operator: {error!r}")


def test_visitors_operators_and_purges_share_the_database_without_errors(start_server, database_url, live):
    server = start_server(settings=SETTINGS)
    tokens = [live.create_account(database_url, f"operator{n}", alias=f"Op{n}")[1] for n in range(OPERATORS)]
    purge = subprocess.Popen([sys.executable, "-c", PURGE_LOOP, database_url, str(DURATION)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + DURATION
    tally = Tally()
    threads = [threading.Thread(target=visit, args=(live, server.url, n, deadline, tally)) for n in range(VISITORS)]
    threads += [threading.Thread(target=operate, args=(live, server.url, token, deadline, tally)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DURATION + 60)
    purge_output, _ = purge.communicate(timeout=60)
    log = server.log()

    assert tally.failures == []
    assert "unavailable" not in tally.seen_codes() and "internal_error" not in tally.seen_codes()
    assert tally.seen_codes() <= {"ok", "not_found", "closed"}
    assert tally.total("visitor", "ok") >= VISITORS * 5 and tally.total("operator-reply", "ok") >= 5
    assert "database is locked" not in log and "Traceback" not in log and " ERROR " not in log
    assert purge.returncode == 0 and "database is locked" not in purge_output, purge_output
    assert live.integrity(database_url) == "ok"
