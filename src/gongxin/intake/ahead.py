"""Reading and checking a file's next batches while the store writes the current one.

On PostgreSQL intake streams: each batch is read, checked and prepared (Python), then written
(the database server's work, while the client waits on the socket). :func:`ahead` runs the
first part in a thread, a few batches ahead, so the two overlap on two cores: the driver
releases the interpreter's lock while it waits for the server. Memory stays bounded (``depth``
batches in the queue), the batches come in order, an error raised while reading or checking is
raised in the caller as it was, and the thread is stopped and joined whenever the caller stops
(an error in the write, or the end), so the file is never read after its ``with`` block.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar, cast

T = TypeVar("T")
_END = object()
_POLL = 0.1  # seconds between looks at the stop flag while the queue is full


def ahead(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """The items of ``items``, made in a background thread up to ``depth`` ahead."""
    slots: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[bool, object]) -> bool:
        while not stop.is_set():
            try:
                slots.put(entry, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((True, _END))
        except BaseException as exc:  # handed to the caller, raised there
            put((False, exc))

    # the thread sees the caller's context (the request's log fields)
    context = contextvars.copy_context()
    worker = threading.Thread(target=context.run, args=(produce,), name="intake-ahead")
    worker.daemon = True
    worker.start()
    try:
        while True:
            ok, item = slots.get()
            if not ok:
                assert isinstance(item, BaseException)
                raise item
            if item is _END:
                return
            yield cast(T, item)
    finally:
        stop.set()
        worker.join()
