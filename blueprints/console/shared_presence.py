"""Operators' presence shared by every process, while the server runs (with a Redis message queue).

Each process beats every few seconds so that visitors on the other processes count its operators,
and withdraws its entries when it stops (``clipai.services.presence``).
"""

from clipai import signals
from clipai.extensions import socketio
from clipai.runtime.message_queue import is_redis_url
from clipai.services import presence

from blueprints.console.relays import relays


def _shares_presence(app) -> bool:
    return relays.state(app) is not None and is_redis_url(app.config.get("MESSAGE_QUEUE"))


def start_beating(app, **_extra):
    if _shares_presence(app):
        socketio.start_background_task(presence.keep_shared, app, socketio.sleep)


def withdraw(app, **_extra):
    if _shares_presence(app):
        presence.withdraw()


def init_app(app):
    # Connected once per process; each receiver checks that its app has the console.
    signals.server_starting.connect(start_beating)
    signals.server_stopping.connect(withdraw)
