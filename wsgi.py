"""Production entry point: monkey-patch for the configured async mode first, then build the app.

    gunicorn -c deploy/gunicorn.conf.py wsgi:app    # gevent (the default of make run and deploy/)
    python wsgi.py                                  # the configured mode's own server: eventlet's
                                                    # with ASYNC_MODE = "eventlet" (make run ASYNC_MODE=eventlet)

Both read HOST and PORT and stop gracefully on SIGTERM; deploy/README.md runs several of them
behind nginx. The mode is the ASYNC_MODE setting (clipai/config.py says what decides it).
"""

from clipai.config import INSTANCE_PATH, configured_settings  # the standard library only: nothing
                                                              # monkey-patching must precede

SETTINGS = configured_settings(INSTANCE_PATH)
ASYNC_MODE = SETTINGS["ASYNC_MODE"]

if ASYNC_MODE == "eventlet":
    import warnings

    # eventlet's import-time notice that it is in bug-fix mode (README and DESIGN §6 say so) would
    # be the one line of the log that is neither timed nor in LOG_FORMAT.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

from clipai import create_app  # noqa: E402  (must follow monkey-patching)
from clipai.runtime.serving import serve  # noqa: E402


def _set_up_first():
    """``SETUP_ON_START`` (make run): the secret key before the app reads it, then the database."""
    from clipai import site_setup  # Alembic and first-run data: not imported by servers that skip this

    if not SETTINGS.get("SECRET_KEY") and (notice := site_setup.ensure_instance_secret(INSTANCE_PATH)):
        print(notice, flush=True)
    app = create_app()
    if notice := site_setup.set_up(app):
        print(notice, flush=True)
    return app


app = _set_up_first() if SETTINGS["SETUP_ON_START"] else create_app()

if __name__ == "__main__":
    serve(app)
