"""How much heavy work one server process takes on at once.

An intake holds a few batches of rows in memory however large its file (≈ 215 MiB at 5,000
rows a batch; ``docs/scale.md``), and a credit check of a file holds its codes and a DuckDB
query bounded at 1 GB: memory is flat for one such job, not for many. The API and the back
office run each in the server's thread pool, which would take dozens at once; so would the
PDF documents anyone may ask for (a report, a certificate: tens of megabytes each while laid
out). :class:`Slots` lets a process run at most ``limit`` jobs of a kind together and refuses
a further one at once with :class:`~gongxin.errors.Busy` (503 and ``Retry-After``): the caller
sends it again a little later. The command line is not limited: each command is a process of
its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from gongxin.errors import Busy


class Slots:
    """At most ``limit`` jobs at once in this process (thread-safe, never waits); ``zh`` and
    ``en`` say what is refused, ``{limit}`` standing for the limit."""

    def __init__(self, limit: int, zh: str, en: str) -> None:
        if limit < 1:
            raise ValueError("a kind of work needs at least one slot")
        self.limit, self._zh, self._en = limit, zh, en
        self._free = threading.BoundedSemaphore(limit)

    @contextmanager
    def taken(self) -> Iterator[None]:
        """Hold a slot for the block; Busy at once when every slot is held."""
        if not self._free.acquire(blocking=False):
            raise Busy(self._zh.format(limit=self.limit), self._en.format(limit=self.limit))
        try:
            yield
        finally:
            self._free.release()


def intake(limit: int) -> Slots:
    """Files ingested at once (the API's and the back office's uploads)."""
    return Slots(
        limit,
        "服务器正在处理 {limit} 个入库文件，暂时忙，请稍后重新提交（本次未读取任何数据）",
        "the server is already ingesting {limit} files; submit again later "
        "(nothing of this one was read)",
    )


def pdfs(limit: int) -> Slots:
    """PDF documents made at once (credit reports, rating certificates, decision letters): each
    lays out pages with its fonts, tens of megabytes while it lasts, and most are public."""
    return Slots(
        limit,
        "服务器正在生成 {limit} 份 PDF 文件，暂时忙，请稍后再试",
        "the server is already making {limit} PDF documents; try again shortly",
    )


def check_files(limit: int) -> Slots:
    """Credit checks of a file run at once (the back office's)."""
    return Slots(
        limit,
        "服务器正在核查 {limit} 个文件，暂时忙，请稍后再提交（本次未核查）",
        "the server is already checking {limit} files; submit again later (nothing was checked)",
    )
