"""The ``clipai`` command: setup, database, accounts."""

import pytest

from clipai.services import accounts


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return invoke


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
    assert "op1\toperator\tSupport\tactive" in run("users", "list").output


def test_users_add_list_disable_passwd(run, app):
    added = run("users", "add", "ana", "--role", "operator", "--alias", "Ana", "--password-stdin",
                input="first long password\n")
    assert added.exit_code == 0, added.output
    assert "ana\toperator\tAna\tactive" in run("users", "list").output
    with app.app_context():
        token, _ = accounts.issue_token(accounts.authenticate("ana", "first long password"))
    changed = run("users", "passwd", "ana", "--password-stdin", input="second long password\n")
    assert changed.exit_code == 0
    with app.app_context():
        assert accounts.user_for_token(token) is None
        assert accounts.authenticate("ana", "second long password")
    assert run("users", "disable", "ana").exit_code == 0
    assert "disabled" in run("users", "list").output


def test_users_add_reports_bad_input_without_a_traceback(run):
    result = run("users", "add", "Bad Name", "--role", "operator", "--password-stdin", input="long enough pass\n")
    assert result.exit_code != 0
    assert "Usernames use" in result.output
    assert "Traceback" not in result.output


def test_users_disable_unknown_account(run):
    result = run("users", "disable", "ghost")
    assert result.exit_code != 0 and "no account" in result.output
