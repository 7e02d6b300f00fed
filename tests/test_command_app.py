"""The ``clipai`` command runs in the command app: every command, none of the web server."""

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from flask import current_app

from clipai import COMMAND_APP_KEY, cli
from clipai.services import retention

WEB_SERVER_MODULES = ("flask_socketio", "socketio", "engineio", "flask_limiter", "rich", "aiohttp",
                      "clipai.extensions", "clipai.runtime.socket_server", "blueprints.chat.views",
                      "blueprints.console.relays", "clipai.services.policy", "clipai.services.retention")


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """The command's settings, as the environment would give them; what it sets stays in the test."""
    monkeypatch.setattr(os, "environ", {key: value for key, value in os.environ.items()
                                        if not key.startswith("CLIPAI_")})
    os.environ.update(CLIPAI_DATABASE_URL=f"sqlite:///{tmp_path / 'commands.sqlite3'}", CLIPAI_SECRET_KEY="command-app")
    return dict(os.environ)


def clipai(*args):
    return CliRunner().invoke(cli.build_cli(), list(args), catch_exceptions=False)


def test_help_lists_the_core_and_feature_commands_and_nothing_that_serves(settings):
    listed = {line.split()[0] for line in clipai("--help").output.split("Commands:")[1].splitlines() if line.strip()}
    assert {"setup", "db", "users", "backup", "restore", "translate", "shell", "policy", "chat"} <= listed
    # Flask's development server and route list, and plugin commands that need the web app, are not offered.
    assert not listed & {"run", "routes", "limiter"}


def test_a_feature_command_group_is_loaded_when_used(settings):
    assert clipai("setup").exit_code == 0
    listing = clipai("policy", "list")
    assert listing.exit_code == 0, listing.output
    assert listing.output.splitlines()[1].split()[:2] == ["1", "in_force"]
    assert "withdraw" in clipai("policy", "--help").output


def test_users_list_imports_no_part_of_the_web_server(settings):
    assert clipai("setup").exit_code == 0
    probe = ("import sys\nfrom clipai import cli\n"
             "try:\n    cli.build_cli()(['users', 'list'], prog_name='clipai')\nexcept SystemExit as end:\n"
             "    assert not end.code, end.code\n"
             f"print(sorted(set({WEB_SERVER_MODULES!r}) & set(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", probe], env=settings, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "admin" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"


def test_chat_purge_runs_in_the_whole_app_so_running_consoles_hear_of_it(settings, monkeypatch):
    """Its erasures are signalled from an app with the realtime relays (and the message queue)."""
    ran_in = []

    def purge_expired():
        ran_in.append(set(current_app.extensions))
        return 0

    monkeypatch.setattr(retention, "purge_expired", purge_expired)
    assert clipai("db", "upgrade").exit_code == 0
    result = clipai("chat", "purge")
    assert result.exit_code == 0 and result.output == "Erased 0 conversation(s).\n"
    assert "socketio" in ran_in[0] and COMMAND_APP_KEY not in ran_in[0]


def test_chat_purge_in_a_servers_app_stays_in_that_app(app, monkeypatch):
    ran_in = []
    monkeypatch.setattr(retention, "purge_expired", lambda: ran_in.append(current_app._get_current_object()) or 3)
    result = app.test_cli_runner().invoke(args=["chat", "purge"])
    assert result.output == "Erased 3 conversation(s).\n"
    assert ran_in == [app]
