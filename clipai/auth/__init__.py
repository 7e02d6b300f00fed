"""Staff sign-in, part of the core: the token API and the bearer-token checks every staff page uses.

It is registered by ``create_app`` itself, not through ``ENABLED_FEATURES``, so a staff page
(the operator console, the policy publishing page) can sign in whichever features are enabled.
"""

from clipai.auth.bearer import bearer_token, current_user, require_role

# The staff pages share one signed-in tab: they keep the bearer token under this sessionStorage key.
TOKEN_STORAGE_KEY = "clipai.console.token"

__all__ = ["TOKEN_STORAGE_KEY", "bearer_token", "current_user", "init_app", "require_role"]


def init_app(app):
    """Serve the token API and give templates the storage key of the staff token."""
    from clipai import signals
    from clipai.auth.views import bp

    app.register_blueprint(bp)
    app.add_template_global(TOKEN_STORAGE_KEY, "staff_token_key")
    signals.server_starting.connect(prepare_sign_in)


def prepare_sign_in(app, **_extra):
    """A server makes the hash that unknown usernames are checked against before its first sign-in."""
    from clipai.services import accounts

    accounts.warm_up()
