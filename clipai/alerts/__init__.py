"""Alerts when a conversation waits and no operator is online (``ALERT_CHANNELS``).

A new conversation, or a closed one a visitor writes to again, while no operator is online
(site-wide with Redis) queues one alert per admitted channel. Each channel has its own queue and
background task, so a slow or failing receiver delays nothing else, and its alerts leave in
order. An alert carries the conversation number and a console link (``SITE_URL``): nothing a
visitor wrote, nothing about who they are.
"""

import logging
import queue
import threading
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from clipai import clock, signals
from clipai.alerts.channels import parse_channels
from clipai.alerts.delivery import deliver
from clipai.extensions import socketio
from clipai.services import presence

log = logging.getLogger(__name__)

EXTENSION_KEY = "clipai.alerts"
ALERTING_CHANGES = ("created", "reopened")
CONSOLE_PATH = "/console"  # the operators' console (the console feature's page)


@dataclass(frozen=True)
class Alert:
    conversation_id: int
    console_url: str
    sent_at: str
    subject: str
    summary: str


class Dispatcher:
    """One app's channels, each with a queue worked by its own background task."""

    def __init__(self, app):
        self.app = app
        self.channels = parse_channels(app.config)
        self.queues: dict[str, queue.Queue] = {}
        self.lock = threading.Lock()  # one queue and one task per channel, whoever alerts first

    def notify_waiting(self, conversation_id: int) -> int:
        """Queue an alert on every channel that admits one now; return how many were queued."""
        with self.app.app_context():
            now = clock.now()
        admitted = [channel for channel in self.channels if channel.admit(now)]
        if admitted:
            alert = self.alert(conversation_id, now)
            for channel in admitted:
                self._queue(channel).put(alert)
        return len(admitted)

    def alert(self, conversation_id: int, now) -> Alert:
        config = self.app.config
        with self.app.app_context(), force_locale(config["ALERT_LOCALE"]):
            subject = _("Conversation #%(number)s is waiting", number=conversation_id)
            summary = _("A visitor is waiting in conversation #%(number)s and no operator is online.",
                        number=conversation_id)
        return Alert(conversation_id, config["SITE_URL"].rstrip("/") + CONSOLE_PATH,
                     now.isoformat(timespec="seconds"), subject, summary)

    def _queue(self, channel) -> queue.Queue:
        with self.lock:
            if channel.name not in self.queues:
                self.queues[channel.name] = queue.Queue()
                socketio.start_background_task(self._work, channel, self.queues[channel.name])
            return self.queues[channel.name]

    def _work(self, channel, alerts: queue.Queue) -> None:
        config = self.app.config
        while True:
            alert = alerts.get()
            deliver(channel, alert, attempts=int(config["ALERT_ATTEMPTS"]),
                    backoff=float(config["ALERT_BACKOFF_SECONDS"]),
                    timeout=float(config["ALERT_TIMEOUT_SECONDS"]), sleep=socketio.sleep)


def dispatcher(app) -> Dispatcher | None:
    return app.extensions.get(EXTENSION_KEY)


def on_conversation_changed(app, conversation=None, change=None, **_extra):
    """Alert when a conversation starts waiting while nobody could see it."""
    if change not in ALERTING_CHANGES:
        return
    with app.app_context():
        if presence.operators_online():
            return
    try:
        dispatcher(app).notify_waiting(conversation.id)
    except Exception:  # an alert must never break the chat that triggered it
        log.exception("alerts: could not queue the alert")


def init_app(app):
    """Check ``ALERT_CHANNELS`` now (a mistake stops the start) and listen when any is configured."""
    app.extensions[EXTENSION_KEY] = Dispatcher(app)
    if app.extensions[EXTENSION_KEY].channels:
        signals.conversation_changed.connect(on_conversation_changed, sender=app)
