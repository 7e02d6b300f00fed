"""The shared fixtures, one module per concern under tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.accounts",
    "tests.fixtures.sockets",
    "tests.fixtures.live_server",
    "tests.fixtures.peers",
    "tests.fixtures.browser",
    "tests.fixtures.databases",
]
