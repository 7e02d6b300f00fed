"""What exists only for throughput and green threads; it knows nothing of chat or policy.

One module per concern, each with the measurement that justifies it (docs/benchmarks.md):

- ``events``: Socket.IO events outside the HTTP request cycle (``RealtimeFlask``, ``EventRequest``);
- ``packets``: JSON-first Socket.IO packets (``JsonPacket``);
- ``socket_server``: the Socket.IO server's options and its Flask-SocketIO subclass;
- ``message_queue``: the Redis message queue that survives outages;
- ``memory_limits``: limits' memory storage without a timer thread per hit;
- ``green_db``: database waits that let other green threads run;
- ``offload``: CPU-heavy work (chat images) in a native thread;
- ``group_commit``: writers that arrive together share one transaction and one fsync;
- ``garbage``: garbage-collection freezing for thousands of connections;
- ``page_cache``: public pages answered again without running Flask;
- ``serving``: the real servers, their graceful shutdown and access logs without addresses.
"""


def init_app(app):
    """Bind Flask-Limiter and Flask-SocketIO the runtime's way, and put the page cache in front."""
    # Imported here, not above: the storage package imports green_db from this package, and a
    # ``clipai`` command that only touches the database should not load the Socket.IO stack.
    from clipai.extensions import limiter, socketio  # the singletons are built on runtime classes
    from clipai.runtime import memory_limits, page_cache
    from clipai.runtime.socket_server import socketio_options

    memory_limits.init_limiter(limiter, app)
    socketio.init_app(app, **socketio_options(app.config))
    page_cache.init_app(app)
