"""Client addresses are never kept: limits key on a keyed, rotating hash of the address group."""

import logging

import pytest

from clipai import create_app
from clipai.extensions import limiter
from clipai.security import address_group, client_address, hashed_address

HOUR = 3600


@pytest.mark.parametrize(
    "address, group",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("garbage", "unknown"),
        ("", "unknown"),
    ],
)
def test_addresses_are_grouped_like_one_person_holds_them(address, group):
    assert address_group(address) == group


def test_one_ipv6_slash_64_is_one_key():
    first = hashed_address("2001:db8:1:2::1", "secret", 24, now=0)
    second = hashed_address("2001:db8:1:2:dead:beef:0:1", "secret", 24, now=0)
    other = hashed_address("2001:db8:1:3::1", "secret", 24, now=0)
    assert first == second != other


def test_hash_key_rotates():
    assert hashed_address("203.0.113.7", "secret", 24, now=0) != hashed_address("203.0.113.7", "secret", 24, now=25 * HOUR)
    assert hashed_address("203.0.113.7", "secret", 24, now=0) == hashed_address("203.0.113.7", "secret", 24, now=23 * HOUR)


def test_hash_does_not_contain_the_address():
    assert "203.0.113.7" not in hashed_address("203.0.113.7", "secret", 24)


@pytest.mark.parametrize(
    "trusted, forwarded, expected",
    [
        (0, "198.51.100.1", "192.0.2.1"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "10.0.0.1, 198.51.100.1", "198.51.100.1"),
        (2, "198.51.100.1, 10.0.0.1", "198.51.100.1"),
        (2, "198.51.100.1", "192.0.2.1"),
    ],
)
def test_forwarded_for_is_trusted_only_from_configured_proxies(app, trusted, forwarded, expected):
    app.config["TRUSTED_PROXIES"] = trusted
    environ = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": forwarded}
    with app.app_context():
        assert client_address(environ) == expected


def test_limiter_storage_holds_no_address(app_config):
    app = create_app({**app_config, "RATELIMIT_DEFAULT": "100 per minute"})
    client = app.test_client()
    for _ in range(3):
        client.get("/", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    keys = " ".join(map(str, limiter.storage.storage.keys()))
    assert app_config["RATELIMIT_KEY_PREFIX"] in keys
    assert "203.0.113.77" not in keys


def test_site_keeps_serving_when_the_limiter_storage_is_down(app_config, caplog):
    caplog.set_level(logging.WARNING)
    app = create_app({**app_config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]
