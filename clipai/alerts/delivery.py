"""Sending one alert over one channel: signed webhooks over HTTP, e-mail over SMTP with STARTTLS.

Everything here runs in a background task of its own (never in a visitor's or operator's event),
retries with doubling waits, and logs a failure without the alert's content.
"""

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
import urllib.request
from email.message import EmailMessage

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ClipAI-Signature"
TIMESTAMP_HEADER = "X-ClipAI-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``<timestamp>.<body>`` with the channel's secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_body(channel, alert) -> bytes:
    """The JSON body: the alert itself, or Slack's ``{"text": …}`` for a Slack-compatible hook."""
    if channel.type == "slack":
        return json.dumps({"text": f"{alert.summary} {alert.console_url}"}, ensure_ascii=False).encode()
    return json.dumps({"event": "conversation_waiting", "conversation_id": alert.conversation_id,
                       "console_url": alert.console_url, "sent_at": alert.sent_at}).encode()


def post_webhook(channel, alert, timeout: float) -> None:
    body = webhook_body(channel, alert)
    headers = {"Content-Type": "application/json", "User-Agent": "ClipAI-alerts"}
    secret = channel.options.get("secret")
    if secret:
        timestamp = str(int(time.time()))
        headers.update({TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)})
    request = urllib.request.Request(channel.options["url"], data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # raises on 4xx/5xx
        response.read()


def send_email(channel, alert, timeout: float) -> None:
    options = channel.options
    message = EmailMessage()
    message["Subject"], message["From"] = alert.subject, options["from"]
    recipients = options["to"] if isinstance(options["to"], list) else [options["to"]]
    message["To"] = ", ".join(recipients)
    message.set_content(f"{alert.summary}\n\n{alert.console_url}\n")
    with smtplib.SMTP(options["host"], int(options.get("port", 587)), timeout=timeout) as smtp:
        if options.get("starttls", True):
            smtp.starttls(context=ssl_context(options))
        if options.get("username"):
            smtp.login(options["username"], options.get("password", ""))
        smtp.send_message(message)


def ssl_context(options) -> ssl.SSLContext:
    """The system's trust store, or ``cafile`` (a private CA, or a test's certificate)."""
    return ssl.create_default_context(cafile=options.get("cafile"))


SENDERS = {"webhook": post_webhook, "slack": post_webhook, "email": send_email}


def deliver(channel, alert, *, attempts: int, backoff: float, timeout: float, sleep) -> bool:
    """Try up to ``attempts`` times, waiting ``backoff``, then twice as long, …; True once sent."""
    wait = backoff
    for attempt in range(1, attempts + 1):
        try:
            SENDERS[channel.type](channel, alert, timeout)
            return True
        except Exception as error:  # network, HTTP status, SMTP: all worth another try
            log.warning("alerts: %s attempt %d/%d failed (%s)", channel.name, attempt, attempts, type(error).__name__)
        if attempt < attempts:
            sleep(wait)
            wait *= 2
    log.error("alerts: %s gave up on conversation %d", channel.name, alert.conversation_id)
    return False
