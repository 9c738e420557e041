"""Slots: at most ``limit`` jobs of a kind at once in a process, the next refused at once."""

from __future__ import annotations

import threading
import time

import pytest

from gongxin.errors import Busy
from gongxin.slots import Slots, check_files, intake


def test_a_process_takes_as_many_intakes_as_it_has_slots_and_refuses_the_next_at_once() -> None:
    slots = intake(2)
    with slots.taken(), slots.taken():
        with pytest.raises(Busy) as refused, slots.taken():
            pass
        assert refused.value.status == 503 and "2 个入库文件" in refused.value.zh
    with slots.taken(), slots.taken():  # both given back
        pass


def test_a_slot_is_given_back_when_the_intake_fails() -> None:
    slots = check_files(1)
    with pytest.raises(RuntimeError), slots.taken():
        raise RuntimeError("the intake failed")
    with slots.taken():
        pass


def test_uploads_arriving_together_get_exactly_the_free_slots() -> None:
    slots = intake(3)
    release, ready = threading.Event(), threading.Barrier(8)
    outcome: list[str] = []
    lock = threading.Lock()

    def upload() -> None:
        ready.wait()
        try:
            with slots.taken():
                with lock:
                    outcome.append("in")
                release.wait(10)
        except Busy:
            with lock:
                outcome.append("busy")

    threads = [threading.Thread(target=upload) for _ in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(outcome) < 8 and time.monotonic() < deadline:  # the refused answer at once
        time.sleep(0.01)  # those let in are still holding their slot: 3 + 5 answers
    release.set()
    for t in threads:
        t.join(10)
    assert sorted(outcome) == ["busy"] * 5 + ["in"] * 3


def test_a_process_needs_one_slot_at_least() -> None:
    with pytest.raises(ValueError):
        Slots(0, "", "")
