"""Production entry point: monkey-patch for the configured async mode first, then build the app.

    gunicorn -c deploy/gunicorn.conf.py wsgi:app    # gevent (the default of make run and deploy/)
    python wsgi.py                                  # the configured mode's own server: eventlet's
                                                    # with ASYNC_MODE = "eventlet" (make run ASYNC_MODE=eventlet)

Both read HOST and PORT and stop gracefully on SIGTERM; deploy/README.md runs several of them
behind nginx. The mode is the ASYNC_MODE setting (clipai/config.py says what decides it).
"""

from clipai.config import async_mode  # the standard library only: nothing monkey-patching must precede

ASYNC_MODE = async_mode()

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

app = create_app()

if __name__ == "__main__":
    serve(app)
