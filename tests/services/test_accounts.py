"""Accounts: hashed passwords, roles, aliases, expiring and revocable tokens."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from clipai import storage
from clipai.services import accounts
from clipai.services.errors import ServiceError
from clipai.storage.schema import auth_tokens, users


def test_password_is_stored_hashed(app_ctx):
    accounts.create_user("ana", "correct horse battery", ["operator"])
    with storage.reading() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert "correct horse" not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_authenticate_accepts_only_the_right_password(app_ctx):
    accounts.create_user("ana", "correct horse battery", ["operator"])
    assert accounts.authenticate("ana", "correct horse battery").username == "ana"
    assert accounts.authenticate("ana", "wrong horse battery") is None
    assert accounts.authenticate("nobody", "correct horse battery") is None
    assert accounts.authenticate(None, None) is None


@pytest.mark.parametrize(
    "username, password, roles, code",
    [
        ("Ana Smith", "long enough password", ["operator"], "invalid_username"),
        ("ana", "short", ["operator"], "weak_password"),
        ("ana", "long enough password", ["admin"], "invalid_roles"),
        ("ana", "long enough password", [], "invalid_roles"),
    ],
)
def test_invalid_accounts_are_refused(app_ctx, username, password, roles, code):
    with pytest.raises(ServiceError) as refused:
        accounts.create_user(username, password, roles)
    assert refused.value.code == code


def test_usernames_are_unique(app_ctx):
    accounts.create_user("ana", "long enough password", ["operator"])
    with pytest.raises(ServiceError, match="username_taken"):
        accounts.create_user("ana", "another long password", ["maintainer"])


def test_alias_is_what_visitors_see(app_ctx):
    user = accounts.create_user("ana.smith", "long enough password", ["operator"], alias="Ana")
    assert (user.alias, user.roles) == ("Ana", ["operator"])


def test_without_an_alias_visitors_see_the_neutral_one_never_the_username(app_ctx):
    user = accounts.create_user("op1", "long enough password", ["operator"])
    blank = accounts.create_user("olga.petrova", "long enough password", ["operator"], alias="   ")
    assert user.alias == blank.alias == "Support"
    assert "op1" not in user.alias and "olga" not in blank.alias.lower()


@pytest.mark.parametrize("settings", [{"OPERATOR_ALIAS": "ClipAI team"}])
def test_the_neutral_alias_is_a_setting(app_ctx):
    assert accounts.create_user("op1", "long enough password", ["operator"]).alias == "ClipAI team"


def test_tokens_are_stored_hashed_and_expire(app_ctx, clock):
    user = accounts.create_user("ana", "long enough password", ["operator", "maintainer"])
    token, expires_at = accounts.issue_token(user)
    with storage.reading() as conn:
        stored = conn.execute(select(auth_tokens.c.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64
    assert accounts.user_for_token(token).id == user.id
    clock.now = expires_at - timedelta(microseconds=1)
    assert accounts.user_for_token(token) is not None
    clock.now = expires_at
    assert accounts.user_for_token(token) is None


@pytest.mark.parametrize("change", ["disable", "passwd"])
def test_disable_and_password_change_revoke_tokens_at_once(app_ctx, change):
    user = accounts.create_user("ana", "long enough password", ["operator"])
    token, _ = accounts.issue_token(user)
    if change == "disable":
        accounts.disable_user("ana")
    else:
        accounts.set_password("ana", "a brand new password")
    assert accounts.user_for_token(token) is None


def test_disabled_account_cannot_sign_in(app_ctx):
    accounts.create_user("ana", "long enough password", ["operator"])
    accounts.disable_user("ana")
    assert accounts.authenticate("ana", "long enough password") is None


def test_first_admin_is_created_once(app_ctx):
    password = accounts.ensure_first_admin()
    admin = accounts.authenticate("admin", password)
    assert admin.roles == ["operator", "maintainer"]
    assert accounts.ensure_first_admin() is None


@pytest.mark.parametrize("token", ["", "x" * 500, None, 42, "not-a-token"])
def test_malformed_tokens_find_nobody(app_ctx, token):
    assert accounts.user_for_token(token) is None


def test_a_starting_server_makes_the_unknown_username_hash_before_its_first_sign_in(app):
    from clipai import auth, signals

    assert auth.prepare_sign_in in list(signals.server_starting.receivers_for(app))
    accounts._dummy_hash.cache_clear()
    auth.prepare_sign_in(app)
    assert accounts._dummy_hash.cache_info().currsize == 1
    with app.app_context():
        assert accounts.authenticate("nobody-here", "any password at all") is None
    assert accounts._dummy_hash.cache_info().hits >= 1
