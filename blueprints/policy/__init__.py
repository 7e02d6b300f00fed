"""Privacy policy: /privacy pages, Atom feed, JSON API, the maintainer publishing page and CLI."""

import click
from flask_babel import lazy_gettext as _l

from clipai import signals
from clipai.config import PROJECT_ROOT
from clipai.features import add_nav_link

SHIPPED_POLICY = PROJECT_ROOT / "content" / "policy"


def publish_shipped_policy(app, **_extra):
    """Publish version 1 from ``content/policy`` during ``clipai setup`` when no version exists."""
    from clipai.services import policy

    with app.app_context():
        version = policy.publish_shipped_version(app.config.get("POLICY_CONTENT_DIR") or SHIPPED_POLICY)
    if version:
        click.echo(f"Published privacy policy version {version.number} ({', '.join(sorted(version.texts))}).")


def init_commands(app):
    """``clipai policy …``, and the first version published by ``clipai setup``."""
    from clipai.cli import LazyGroup

    app.cli.add_command(LazyGroup("policy", "blueprints.policy.cli:policy_cli", help="Privacy-policy versions."))
    signals.setup_requested.connect(publish_shipped_policy, sender=app)


def init_app(app):
    from blueprints.policy import caching
    from blueprints.policy import data_page, verification, withdrawal  # noqa: F401  (their routes join bp)
    from blueprints.policy.views import bp

    app.register_blueprint(bp)
    caching.init_app(app)
    add_nav_link(app, "policy.current", _l("Privacy"), order=20)
    init_commands(app)
