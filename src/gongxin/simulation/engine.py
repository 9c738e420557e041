"""The engine and scratch folder a simulation runs in.

An engine named by a string is made here and closed afterwards; an engine passed in belongs to
the caller and is left open. The scratch folder (the snapshot and the jobs' output) is removed
afterwards either way.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gongxin.analytics import engines


@contextmanager
def running_on(engine: str | engines.Engine, master: str) -> Iterator[tuple[engines.Engine, Path]]:
    """The engine to run on (made from its name, or the one given) and a fresh scratch folder."""
    runner = engines.make(engine, master=master) if isinstance(engine, str) else engine
    folder = Path(tempfile.mkdtemp(prefix="gongxin-simulate-"))
    try:
        yield runner, folder
    finally:
        if isinstance(engine, str):  # made here (an engine passed in belongs to the caller)
            runner.close()
        shutil.rmtree(folder, ignore_errors=True)
