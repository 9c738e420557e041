"""How many files one server process ingests at once.

An intake holds a few batches of rows in memory at a time (≈ 215 MiB at 5,000 rows a batch;
``docs/scale.md``), however large its file: memory is flat for one intake, not for many. The
API and the back office run each intake in the server's thread pool, which would take dozens
at once; :class:`IntakeSlots` lets a process ingest at most ``limit`` files together and
refuses a further one at once — before its upload is read, so nothing of it is spooled or
stored — with :class:`~gongxin.errors.Busy` (503 and ``Retry-After``): the department sends it
again a little later. The command line is not limited: each ``gongxin ingest`` is a process
of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from gongxin.errors import Busy


class IntakeSlots:
    """At most ``limit`` intakes at once in this process (thread-safe, never waits)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("an intake needs at least one slot")
        self.limit = limit
        self._free = threading.BoundedSemaphore(limit)

    @contextmanager
    def taken(self) -> Iterator[None]:
        """Hold a slot for the block; Busy at once when every slot is held."""
        if not self._free.acquire(blocking=False):
            raise Busy(
                f"服务器正在处理 {self.limit} 个入库文件，暂时忙，请稍后重新提交"
                "（本次未读取任何数据）",
                f"the server is already ingesting {self.limit} files; submit again later "
                "(nothing of this one was read)",
            )
        try:
            yield
        finally:
            self._free.release()
