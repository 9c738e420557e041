"""Checked rows kept aside until the store is written, so that reading and checking a large file
holds no lock of the store.

:func:`stage` drains the batches of checked rows (as :func:`~gongxin.intake.store.
check_and_prepare` makes them) into an anonymous temporary file, one pickled batch after the
other, and gives back a :class:`Staged`: iterate it for the same batches, in order, one at a
time (memory stays at one batch); close it, or leave its ``with`` block, to delete the file.
The file is the process's own (unnamed, removed by the system even after a crash) and is read
back only by the process that wrote it.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import IO, Any

from gongxin.intake.readers.table import Row
from gongxin.intake.store import Pending
from gongxin.intake.validate import Checked, Problem

Batch = tuple[list[Pending], list[tuple[Row, Checked]]]
"""One batch of a file: its accepted rows, prepared, and its rejected rows with their checks."""


class Staged:
    """Staged batches in a temporary file; iterable once they are all written."""

    def __init__(self) -> None:
        # closed by close() / the with block, not here
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="gongxin-stage-")  # noqa: SIM115
        self.batches = 0

    def add(self, batch: Batch) -> None:
        pickle.dump(_flat(batch), self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.batches += 1

    def __iter__(self) -> Iterator[Batch]:
        self._file.flush()
        self._file.seek(0)
        for _ in range(self.batches):
            yield _rebuilt(pickle.load(self._file))  # our own file, just written

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Staged:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def stage(batches: Iterable[Batch]) -> Staged:
    """Every batch of ``batches``, drained into a :class:`Staged` file."""
    staged = Staged()
    try:
        for batch in batches:
            staged.add(batch)
    except BaseException:
        staged.close()
        raise
    return staged


# Staged as plain tuples, dicts and lists, which pickle handles at C speed (dataclass instances
# cost several times more).


def _problems(found: list[Problem]) -> list[tuple[str, str, str, str, str, str]]:
    return [(p.field, p.name, p.value, p.rule, p.zh, p.en) for p in found]


def _flat(batch: Batch) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    good, bad = batch
    return (
        [
            (p.checked.number, p.checked.data, p.checked.link_kind, p.checked.link_code,
             _problems(p.checked.warnings), p.key, p.content, p.content_hash,
             None if p.row is None else (p.row.number, p.row.values, p.row.extras))
            for p in good
        ],
        [
            (row.number, row.values, row.extras, checked.number, _problems(checked.errors),
             _problems(checked.warnings))
            for row, checked in bad
        ],
    )  # fmt: skip


def _rebuilt(flat: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]) -> Batch:
    good, bad = flat
    return (
        [
            Pending(
                Checked(number, data, [], [Problem(*w) for w in warnings], link_kind, link_code),
                key, content, content_hash, row=None if row is None else Row(*row),
            )
            for number, data, link_kind, link_code, warnings, key, content, content_hash, row
            in good
        ],
        [
            (Row(number, values, extras),
             Checked(checked, None, [Problem(*e) for e in errors], [Problem(*w) for w in warns]))
            for number, values, extras, checked, errors, warns in bad
        ],
    )  # fmt: skip
