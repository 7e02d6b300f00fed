"""SQL for operator and maintainer accounts and their bearer tokens."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update

from clipai.storage.schema import auth_tokens, users


@dataclass(frozen=True)
class User:
    id: int
    username: str
    alias: str
    is_operator: bool
    is_maintainer: bool
    disabled: bool

    @property
    def roles(self) -> list[str]:
        return [role for role, held in (("operator", self.is_operator), ("maintainer", self.is_maintainer)) if held]


_USER_COLUMNS = (
    users.c.id,
    users.c.username,
    users.c.alias,
    users.c.is_operator,
    users.c.is_maintainer,
    users.c.disabled,
)


def _user(row) -> User | None:
    return User(*row[:6]) if row else None


def insert_user(conn, *, username, password_hash, alias, is_operator, is_maintainer, created_at) -> int:
    result = conn.execute(
        insert(users).values(
            username=username,
            password_hash=password_hash,
            alias=alias,
            is_operator=is_operator,
            is_maintainer=is_maintainer,
            disabled=False,
            created_at=created_at,
        )
    )
    return result.inserted_primary_key[0]


def count_users(conn) -> int:
    return conn.execute(select(func.count()).select_from(users)).scalar_one()


def user_by_id(conn, user_id: int) -> User | None:
    return _user(conn.execute(select(*_USER_COLUMNS).where(users.c.id == user_id)).first())


def user_by_username(conn, username: str) -> User | None:
    return _user(conn.execute(select(*_USER_COLUMNS).where(users.c.username == username)).first())


def user_and_password_hash(conn, username: str) -> tuple[User, str] | None:
    row = conn.execute(select(*_USER_COLUMNS, users.c.password_hash).where(users.c.username == username)).first()
    return (_user(row), row.password_hash) if row else None


def list_users(conn) -> list[User]:
    return [_user(row) for row in conn.execute(select(*_USER_COLUMNS).order_by(users.c.username))]


def set_disabled(conn, user_id: int, disabled: bool) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(disabled=disabled))


def set_password_hash(conn, user_id: int, password_hash: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def insert_token(conn, *, token_hash: str, user_id: int, created_at: datetime, expires_at: datetime) -> None:
    conn.execute(
        insert(auth_tokens).values(
            token_hash=token_hash, user_id=user_id, created_at=created_at, expires_at=expires_at
        )
    )


def user_for_token(conn, token_hash: str, now: datetime) -> User | None:
    """Return the enabled account behind an unexpired token, or None."""
    row = conn.execute(
        select(*_USER_COLUMNS)
        .join(auth_tokens, auth_tokens.c.user_id == users.c.id)
        .where(auth_tokens.c.token_hash == token_hash)
        .where(auth_tokens.c.expires_at > now)
        .where(users.c.disabled.is_(False))
    ).first()
    return _user(row)


# Built once: each console process runs it twice a second (the revocation check), and an ``IN``
# built per call left a reference cycle each time (docs/benchmarks.md, change 47).
_OPERATOR_TOKEN_HASHES_IN_FORCE = (
    select(auth_tokens.c.token_hash)
    .join(users, auth_tokens.c.user_id == users.c.id)
    .where(auth_tokens.c.token_hash.in_(bindparam("b_token_hashes", expanding=True)))
    .where(auth_tokens.c.expires_at > bindparam("b_now"))
    .where(users.c.disabled.is_(False))
    .where(users.c.is_operator.is_(True))
)


def operator_token_hashes_in_force(conn, token_hashes, now: datetime) -> set[str]:
    """Return those of ``token_hashes`` that are unexpired and belong to an enabled operator."""
    rows = conn.execute(_OPERATOR_TOKEN_HASHES_IN_FORCE, {"b_token_hashes": list(token_hashes), "b_now": now})
    return {row.token_hash for row in rows}


def token_expires_at(conn, token_hash: str) -> datetime | None:
    return conn.execute(select(auth_tokens.c.expires_at).where(auth_tokens.c.token_hash == token_hash)).scalar()


def delete_token(conn, token_hash: str) -> int:
    return conn.execute(delete(auth_tokens).where(auth_tokens.c.token_hash == token_hash)).rowcount


def delete_tokens_of_user(conn, user_id: int) -> int:
    return conn.execute(delete(auth_tokens).where(auth_tokens.c.user_id == user_id)).rowcount


def delete_expired_tokens(conn, now: datetime) -> int:
    return conn.execute(delete(auth_tokens).where(auth_tokens.c.expires_at <= now)).rowcount
