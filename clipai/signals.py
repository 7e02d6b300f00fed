"""Signals features use to talk to each other without importing each other."""

from blinker import Namespace

_signals = Namespace()

#: ``sender=app`` — ``clipai setup`` ran; features put their first-run data in place.
setup_requested = _signals.signal("setup-requested")
#: ``sender=app`` — the real server is about to serve; features start their background tasks.
server_starting = _signals.signal("server-starting")
#: ``sender=app, user_id=…`` — every token of that account stopped working.
tokens_revoked = _signals.signal("tokens-revoked")
