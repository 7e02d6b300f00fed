"""Accounts for operators and maintainers: passwords, roles, aliases and bearer tokens."""

import functools
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from clipai import clock, signals, storage
from clipai.security import hash_token
from clipai.services.errors import ServiceError
from clipai.storage import users as user_store
from clipai.storage.users import User

ROLES = ("operator", "maintainer")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MAX_USERNAME_LENGTH = 64
MIN_PASSWORD_LENGTH = 10
_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.cache
def _dummy_hash() -> str:
    """A real hash to check unknown usernames against, so they cost what a known one costs.

    Made on first use, not at import: hashing takes a tenth of a second that every ``clipai``
    command would otherwise pay. Servers make it when they start (``warm_up``).
    """
    return generate_password_hash("not-a-real-password")


def warm_up() -> None:
    """Make the dummy hash now, so that even the first unknown username costs one hash only."""
    _dummy_hash()


def validate_new_account(username: str, password: str, roles) -> None:
    if not isinstance(username, str) or not USERNAME.fullmatch(username):  # fullmatch: "$" lets "admin\n" in
        raise ServiceError("invalid_username", _l("Usernames use 1–64 lowercase letters, digits, dots, dashes or underscores."))
    validate_password(password)
    if not roles or any(role not in ROLES for role in roles):
        raise ServiceError("invalid_roles", _l("Roles must be operator, maintainer or both."))


def _hashable_text(value) -> bool:
    """A string that can be encoded for hashing and storage (no lone surrogates)."""
    return isinstance(value, str) and not _SURROGATE.search(value)


def validate_password(password: str) -> None:
    if not _hashable_text(password) or len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError("weak_password", _l("Passwords need at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))


def create_user(username: str, password: str, roles, alias: str | None = None) -> User:
    """Create an account; the alias is what visitors see, never derived from the username."""
    validate_new_account(username, password, roles)
    with storage.transaction() as conn:
        if user_store.user_by_username(conn, username):
            raise ServiceError("username_taken", _l("That username is taken."))
        user_id = user_store.insert_user(
            conn,
            username=username,
            password_hash=generate_password_hash(password),
            alias=_visible_alias(alias),
            is_operator="operator" in roles,
            is_maintainer="maintainer" in roles,
            created_at=clock.now(),
        )
        return user_store.user_by_id(conn, user_id)


def _visible_alias(alias: str | None) -> str:
    """The alias as given, or the neutral ``OPERATOR_ALIAS``: visitors never learn an account name."""
    chosen = alias.strip()[:64] if isinstance(alias, str) else ""
    return chosen or current_app.config["OPERATOR_ALIAS"]


def ensure_first_admin() -> str | None:
    """Create ``admin`` (operator and maintainer) when no account exists; return its password once."""
    with storage.reading() as conn:
        if user_store.count_users(conn):
            return None
    password = secrets.token_urlsafe(15)
    create_user("admin", password, ROLES)
    return password


def authenticate(username: str, password: str) -> User | None:
    """Return the enabled account for these credentials, or None (same cost either way)."""
    lookup = _hashable_text(username) and len(username) <= MAX_USERNAME_LENGTH
    with storage.reading() as conn:
        found = user_store.user_and_password_hash(conn, username) if lookup else None
    password_hash = found[1] if found else _dummy_hash()
    valid = check_password_hash(password_hash, password if _hashable_text(password) else "")
    if not found or not valid or found[0].disabled:
        return None
    return found[0]


def issue_token(user: User) -> tuple[str, object]:
    """Return a new bearer token and its expiry; only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    expires_at = now + timedelta(hours=current_app.config["TOKEN_LIFETIME_HOURS"])
    with storage.transaction() as conn:
        user_store.delete_expired_tokens(conn, now)
        user_store.insert_token(conn, token_hash=hash_token(token), user_id=user.id, created_at=now, expires_at=expires_at)
    return token, expires_at


def user_for_token(token) -> User | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    with storage.reading() as conn:
        return user_store.user_for_token(conn, hash_token(token), clock.now())


def operator_tokens_in_force(token_hashes) -> set[str]:
    """Return the token hashes that still sign in an enabled operator (any process may have revoked one)."""
    if not token_hashes:
        return set()
    with storage.reading() as conn:
        return user_store.operator_token_hashes_in_force(conn, token_hashes, clock.now())


def token_expires_at(token: str):
    """Return when a stored token expires, or None for an unknown one."""
    with storage.reading() as conn:
        return user_store.token_expires_at(conn, hash_token(token))


def revoke_token(token) -> bool:
    """Delete the token; True only when it was valid, so an expired one is refused like a wrong one.

    Live sockets of the account are told (``tokens_revoked``): a console socket must not keep
    hearing visitors after its token was signed out.
    """
    if not isinstance(token, str) or not token or len(token) > 200:
        return False
    token_hash = hash_token(token)
    with storage.transaction() as conn:
        user = user_store.user_for_token(conn, token_hash, clock.now())
        user_store.delete_token(conn, token_hash)
    if user is not None:
        signals.tokens_revoked.send(current_app._get_current_object(), user_id=user.id, token_hash=token_hash)
    return user is not None


def _require_user(conn, username: str) -> User:
    user = user_store.user_by_username(conn, username)
    if not user:
        raise ServiceError("unknown_user", _l("There is no account with that username."))
    return user


def _revoke_all(conn, user: User) -> None:
    user_store.delete_tokens_of_user(conn, user.id)


def disable_user(username: str) -> User:
    """Disable the account and revoke its tokens at once."""
    with storage.transaction() as conn:
        user = _require_user(conn, username)
        user_store.set_disabled(conn, user.id, True)
        _revoke_all(conn, user)
    signals.tokens_revoked.send(current_app._get_current_object(), user_id=user.id)
    return user


def enable_user(username: str) -> User:
    with storage.transaction() as conn:
        user = _require_user(conn, username)
        user_store.set_disabled(conn, user.id, False)
    return user


def set_password(username: str, password: str) -> User:
    """Change the password and revoke every token issued with the old one."""
    validate_password(password)
    with storage.transaction() as conn:
        user = _require_user(conn, username)
        user_store.set_password_hash(conn, user.id, generate_password_hash(password))
        _revoke_all(conn, user)
    signals.tokens_revoked.send(current_app._get_current_object(), user_id=user.id)
    return user


def list_users() -> list[User]:
    with storage.reading() as conn:
        return user_store.list_users(conn)


def user_by_id(user_id: int) -> User | None:
    with storage.reading() as conn:
        return user_store.user_by_id(conn, user_id)
