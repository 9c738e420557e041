"""intake.ahead: the next batches read and checked in a thread while the store writes."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from gongxin.errors import InvalidInput
from gongxin.intake.ahead import ahead


def test_the_items_come_in_order_and_all_of_them() -> None:
    assert list(ahead(iter(range(1000)), depth=3)) == list(range(1000))
    assert list(ahead(iter([]))) == []


def test_an_error_while_reading_is_raised_in_the_caller_after_the_items_before_it() -> None:
    def rows() -> Iterator[int]:
        yield 1
        yield 2
        raise InvalidInput("第3行无法读取", "row 3 cannot be read", row=3)

    got: list[int] = []
    with pytest.raises(InvalidInput) as raised:
        for item in ahead(rows()):
            got.append(item)
    assert got == [1, 2]
    assert raised.value.details["row"] == 3


def test_the_reader_stops_when_the_caller_stops() -> None:
    """An error in the write (or any early stop) stops the reading thread before the caller
    goes on: nothing reads the file after its ``with`` block has closed it."""
    read: list[int] = []

    def rows() -> Iterator[int]:
        for n in range(100_000):
            read.append(n)
            yield n

    with pytest.raises(RuntimeError):
        for item in ahead(rows(), depth=2):
            if item == 5:
                raise RuntimeError("the store refused the batch")
    seen = len(read)
    assert seen <= 5 + 1 + 2 + 1  # the items taken, the one in hand, the queue, one being put
    assert not [t for t in threading.enumerate() if t.name == "intake-ahead"]
    assert len(read) == seen  # and nothing is read afterwards
