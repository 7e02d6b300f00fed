"""Production entry point: monkey-patch for the async mode first, then build the app.

    gunicorn -c deploy/gunicorn.conf.py wsgi:app    # gevent (the default of make run and deploy/)
    python wsgi.py                                  # eventlet: eventlet's own WSGI server

Both read HOST and PORT and stop gracefully on SIGTERM; deploy/README.md runs several of them
behind nginx.
"""

import os

ASYNC_MODE = os.environ.get("CLIPAI_ASYNC_MODE", "eventlet")  # gunicorn.conf.py sets gevent

if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

from clipai import create_app  # noqa: E402  (must follow monkey-patching)
from clipai.runtime.serving import serve  # noqa: E402

app = create_app({"ASYNC_MODE": ASYNC_MODE})

if __name__ == "__main__":
    serve(app)
