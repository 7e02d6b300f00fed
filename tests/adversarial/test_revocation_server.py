"""A `clipai users` command cuts the account's console sockets in the running server (real server).

The command runs in a process of its own that holds no socket: before the revocation watch, the
server's sockets kept hearing every visitor until the token expired (12 h).
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
CLIPAI = Path(sys.executable).parent / "clipai"
CUT_WITHIN = 2.0  # seconds after the command returned: the documented bound
COMMANDS = {
    "disable": (["users", "disable", "olga.k"], None),
    "passwd": (["users", "passwd", "olga.k", "--password-stdin"], "a brand new password\n"),
}


def run_clipai(server, arguments, stdin=None):
    return subprocess.run([str(CLIPAI), *arguments], cwd=PROJECT_ROOT, env=server.env, input=stdin,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_cuts_the_accounts_console_and_nothing_reaches_it_afterwards(start_server, database_url, live,
                                                                               peers, async_mode, command):
    server = start_server(async_mode=async_mode)
    _, token = live.create_account(database_url, "olga.k")
    operator = peers(server.url, "/console", auth={"token": token})
    visitor = peers(server.url, "/chat")
    before = visitor.say("Before the change")
    operator.next_matching("message", lambda message: message["id"] == before["message"]["id"])

    arguments, stdin = COMMANDS[command]
    done = run_clipai(server, arguments, stdin)
    assert done.returncode == 0, done.stderr
    after = visitor.say("After the change")
    assert after["ok"]

    operator.next_event("__disconnect__", timeout=CUT_WITHIN)
    heard = [payload for event, payload in operator.drain() if event == "message"]
    assert after["message"]["id"] not in [message["id"] for message in heard]
    again = peers(server.url, "/console", auth={"token": token}, connect=False)
    with pytest.raises(Exception):
        again.connect()
    assert again.connect_errors[0]["code"] == "unauthorized"
