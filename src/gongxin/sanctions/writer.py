"""Group commit of the check log: concurrent checks share one write transaction.

On SQLite one transaction writes at a time, and on both databases a commit costs more than the
rows it carries. The API therefore hands each evaluated check to the writer of its engine and
waits: a thread takes every check waiting at that moment (up to ``MAX_BATCH``), logs and audits
them all in one transaction (each charged against its key's day quota, ``quota.charge``;
then ``log.write_many``: each still gets its own ``checks`` row, its results and its own
chained audit entry) and commits; a check over its quota is neither counted nor logged and
its future fails with the RateLimited; only then is each caller's future
resolved and its answer sent. Nothing is acknowledged before it is durable. When a batch fails,
its checks are written again one by one, so that one bad check fails only itself.

The thread starts with the first check and ends after ``IDLE_SECONDS`` without any.
"""

from __future__ import annotations

import queue
import threading
import weakref
from concurrent.futures import Future

import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.errors import RateLimited
from gongxin.sanctions import log, quota

MAX_BATCH = 64
IDLE_SECONDS = 5.0


Queued = tuple[log.Entry, quota.Charge | None, "Future[None]"]


class GroupWriter:
    """The writer of one engine (``for_engine``)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._queue: queue.SimpleQueue[Queued] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, entry: log.Entry, charge: quota.Charge | None = None) -> Future[None]:
        """Queue ``entry`` (counting ``charge`` against its key's day quota); the future
        resolves once it is committed (or fails with the error, RateLimited over the quota)."""
        done: Future[None] = Future()
        self._queue.put((entry, charge, done))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="gongxin-check-log", daemon=True
                )
                self._thread.start()
        return done

    def _run(self) -> None:
        while self._run_once(timeout=IDLE_SECONDS):
            pass

    def _run_once(self, timeout: float = 0.0) -> bool:
        """Write the checks waiting now (waiting ``timeout`` for one); False when there was
        none and the thread may end."""
        try:
            batch = [self._queue.get(timeout=timeout) if timeout else self._queue.get_nowait()]
        except queue.Empty:
            with self._lock:
                if self._queue.empty():
                    self._thread = None
                    return False
            return True
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        self._write(batch)
        return True

    def _write(self, batch: list[Queued]) -> None:
        try:
            verdicts = self._commit(batch)
        except Exception as exc:
            if len(batch) == 1:
                batch[0][2].set_exception(exc)
                return
            for one in batch:
                self._write([one])
            return
        for (_, _, done), refused in zip(batch, verdicts, strict=True):
            if refused is None:
                done.set_result(None)
            else:
                done.set_exception(refused)

    def _commit(self, batch: list[Queued]) -> list[RateLimited | None]:
        """Charge and log ``batch`` in one transaction; per check, its refusal or None."""
        with dialect.one_writer(self.engine), self.engine.begin() as conn:
            verdicts = quota.charge(conn, [c for _, c, _ in batch])
            admitted = [e for (e, _, _), v in zip(batch, verdicts, strict=True) if v is None]
            log.write_many(conn, admitted)
        return verdicts


_writers: weakref.WeakKeyDictionary[sa.Engine, GroupWriter] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def for_engine(engine: sa.Engine) -> GroupWriter:
    """The group writer of ``engine`` (one per engine in this process)."""
    with _writers_lock:
        found = _writers.get(engine)
        if found is None:
            found = _writers[engine] = GroupWriter(engine)
        return found
