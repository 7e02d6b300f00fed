"""CPU-heavy work (decoding and encoding an image) in a native thread, so a green server keeps
serving its other connections meanwhile: a green thread that computes for two seconds would stop
every other one of the process for those two seconds. Pillow releases the GIL while it codes."""

from clipai.runtime.green_db import _select_is_green, _thread_pool_runner


def run_cpu_bound(async_mode: str, call, *args):
    """``call(*args)`` in the hub's native thread pool under eventlet or gevent, else right here."""
    if async_mode in ("eventlet", "gevent") and _select_is_green():
        return _thread_pool_runner(async_mode)(call, *args)
    return call(*args)
