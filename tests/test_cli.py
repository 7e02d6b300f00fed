"""The ``clipai`` command: setup, database, accounts."""

import importlib.metadata
import os
import re
import shutil

import pytest
from click.testing import CliRunner

from clipai import cli
from clipai.services import accounts
from clipai.storage import migrations


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return invoke


def listed(output: str) -> list[list[str]]:
    """The cells of a headed listing (columns two or more spaces apart)."""
    return [re.split(r"\s{2,}", line) for line in output.splitlines()]


def test_setup_creates_the_first_admin_once(run, app):
    first = run("setup")
    assert first.exit_code == 0, first.output
    assert "Password (shown once):" in first.output
    second = run("setup")
    assert second.exit_code == 0 and "Password" not in second.output


def test_db_upgrade_is_idempotent(run):
    assert run("db", "upgrade").exit_code == 0
    assert run("db", "upgrade").exit_code == 0


def test_users_add_without_alias_says_visitors_see_the_neutral_alias(run):
    added = run("users", "add", "op1", "--role", "operator", "--password-stdin", input="first long password\n")
    assert "shown to visitors as Support." in added.output
    assert ["op1", "operator", "Support", "active"] in listed(run("users", "list").output)


def test_users_add_list_disable_passwd(run, app):
    added = run("users", "add", "ana", "--role", "operator", "--alias", "Ana", "--password-stdin",
                input="first long password\n")
    assert added.exit_code == 0, added.output
    assert ["ana", "operator", "Ana", "active"] in listed(run("users", "list").output)
    with app.app_context():
        token, _ = accounts.issue_token(accounts.authenticate("ana", "first long password"))
    changed = run("users", "passwd", "ana", "--password-stdin", input="second long password\n")
    assert changed.exit_code == 0
    with app.app_context():
        assert accounts.user_for_token(token) is None
        assert accounts.authenticate("ana", "second long password")
    assert run("users", "disable", "ana").exit_code == 0
    assert ["ana", "operator", "Ana", "disabled"] in listed(run("users", "list").output)


def test_users_add_reports_bad_input_without_a_traceback(run):
    result = run("users", "add", "Bad Name", "--role", "operator", "--password-stdin", input="long enough pass\n")
    assert result.exit_code != 0
    assert "Usernames use" in result.output
    assert "Traceback" not in result.output


def test_users_disable_unknown_account(run):
    result = run("users", "disable", "ghost")
    assert result.exit_code != 0 and "no account" in result.output


def test_users_list_prints_headed_columns(run):
    run("users", "add", "maintainer.one", "--role", "operator", "--role", "maintainer", "--alias", "Mo",
        "--password-stdin", input="first long password\n")
    lines = run("users", "list").output.splitlines()
    assert listed(lines[0]) == [["USERNAME", "ROLES", "ALIAS", "STATE"]]
    assert [lines[0].index(name) for name in ("ALIAS", "STATE")] == [lines[1].index("Mo"), lines[1].index("active")]


def test_role_help_says_it_can_repeat(run):
    assert "repeat it for several" in run("users", "add", "--help").output


def test_version_prints_the_sites_version():
    result = CliRunner().invoke(cli.build_cli(), ["--version"])
    assert result.exit_code == 0
    assert result.output == f"ClipAI site {importlib.metadata.version('clipai-site')}\n"


def test_env_file_sets_the_settings_of_the_command(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "environ", dict(os.environ))  # what python-dotenv loads stays in this test
    database = tmp_path / "from-env-file.sqlite3"
    env_file = tmp_path / "clipai.env"
    env_file.write_text(f"CLIPAI_DATABASE_URL=sqlite:///{database}\nCLIPAI_SECRET_KEY=from-the-env-file\n")
    result = CliRunner().invoke(cli.build_cli(), ["-e", str(env_file), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert database.is_file()


def test_db_revision_creates_the_next_numbered_migration(run, tmp_path, monkeypatch):
    versions = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS, versions, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrations, "MIGRATIONS", versions)
    head = migrations.ScriptDirectory.from_config(migrations.alembic_config()).get_current_head()
    result = run("db", "revision", "-m", "add report views")
    assert result.exit_code == 0, result.output
    expected = f"{int(head) + 1:04d}"
    created = versions / "versions" / f"{expected}_add_report_views.py"
    assert f"Created {created}." in result.output
    assert f'down_revision = {head!r}' in created.read_text()
    assert run("db", "upgrade").exit_code == 0  # the empty migration applies on top of the head


def clipai_command(*args, database_url):
    """The installed ``clipai`` script in a process of its own, on ``database_url``."""
    import subprocess
    import sys
    from pathlib import Path

    env = {key: value for key, value in os.environ.items() if not key.startswith("CLIPAI_")}
    env.update(CLIPAI_DATABASE_URL=database_url, CLIPAI_SECRET_KEY="cli-test")
    return subprocess.run([str(Path(sys.executable).parent / "clipai"), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_a_command_before_setup_says_to_run_setup_not_a_traceback(tmp_path):
    result = clipai_command("users", "list", database_url=f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert result.returncode == 1
    assert result.stderr == ("Error: the database is not set up (or not up to date). "
                             "Run `clipai setup` first (make run does it too).\n")
    assert result.stdout == ""


def test_a_command_on_an_unreachable_database_says_why_without_a_traceback():
    result = clipai_command("users", "list", database_url="postgresql+psycopg://clipai@127.0.0.1:1/clipai")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the database failed (postgresql+psycopg): ")
    assert "Connection refused" in result.stderr and "Traceback" not in result.stderr
