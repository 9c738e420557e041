"""Holding every slot of an app's kind of heavy work, as that many jobs in progress would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from fastapi import FastAPI


@contextmanager
def all_held(app: FastAPI, kind: str) -> Iterator[None]:
    """Within the block, every slot of ``kind`` (``gongxin.slots``) of ``app`` is taken."""
    slots = app.state.slots[kind]
    with ExitStack() as stack:
        for _ in range(slots.limit):
            stack.enter_context(slots.taken())
        yield
