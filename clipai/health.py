"""The health check, part of the core: load balancers ask it whichever features are enabled."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from clipai import storage
from clipai.extensions import limiter
from clipai.runtime.message_queue import is_redis_url, redis_answers

bp = Blueprint("health", __name__)


def redis_checks() -> dict:
    """``up`` or ``down`` for each configured Redis service (message queue, limiter storage)."""
    urls = {"message_queue": current_app.config["MESSAGE_QUEUE"],
            "rate_limit_storage": current_app.config["RATELIMIT_STORAGE_URI"]}
    answers = {url: redis_answers(url) for url in set(urls.values()) if is_redis_url(url)}  # one ping per server
    return {name: ("up" if answers[url] else "down") for name, url in urls.items() if url in answers}


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Answer ``ok``; ``degraded`` (still 200) when Redis is down; 503 when the database is down.

    Without Redis every process still serves its own clients, so load balancers keep it in rotation.
    """
    try:
        with storage.reading() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any driver error means the site cannot serve
        return jsonify({"status": "unavailable", "database": "down"}), 503
    checks = redis_checks()
    if "down" in checks.values():
        return jsonify({"status": "degraded", "database": "up", **checks})
    return jsonify({"status": "ok"})


def init_app(app):
    app.register_blueprint(bp)
