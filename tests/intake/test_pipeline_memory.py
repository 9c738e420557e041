"""Intake pauses the cyclic garbage collector while rows stream through (it rescanned every live
batch again and again), so nothing it does may leave a reference cycle: one that reaches a frame
keeps that batch's rows alive until the submission ends, and memory grows with the file. A
300,000-row registration file grew to 3 GB that way (each investor named, not coded, raised an
error that held its own frame); these tests look for intake's objects among the cycles left."""

from __future__ import annotations

import gc
from collections.abc import Callable

from gongxin.intake.pipeline import Summary
from gongxin.intake.readers.table import Row
from gongxin.intake.store import Pending
from gongxin.intake.validate import Checked
from tests.intake.helpers import Store, penalty_row, registration_row, write_csv


def _cycles(ingest: Callable[[], Summary]) -> tuple[Summary, list[str]]:
    """Run the ingest; the kinds of intake's objects that only the collector could free."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds unreachable is kept to be seen
    try:
        summary = ingest()
        gc.collect()
        held = [type(o).__name__ for o in gc.garbage if isinstance(o, Pending | Row | Checked)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return summary, held


def test_a_registration_file_with_named_investors_leaves_no_row_behind(store: Store) -> None:
    rows = [
        registration_row(n, 股东及出资信息=f"张三:60%;北京测试{n}投资有限公司:40%")
        for n in range(1, 120)
    ]
    path = write_csv(store.folder / "reg.csv", list(rows[0]), [list(r.values()) for r in rows])
    summary, held = _cycles(lambda: store.ingest(path, dataset="registration"))
    with store.engine.connect() as conn:
        kinds = conn.exec_driver_sql("SELECT DISTINCT kind FROM subject_parties").scalars().all()
    assert "investor" in kinds
    assert summary.accepted == 119
    assert held == []


def test_a_value_refused_again_and_again_leaves_no_row_behind(store: Store) -> None:
    """The same bad cell in many rows is parsed once and its problem raised for each row."""
    rows = [penalty_row(n, CF_JDRQ="2024/13/45") for n in range(1, 120)]
    path = store.penalties("bad.csv", rows)
    summary, held = _cycles(lambda: store.ingest(path))
    assert summary.rejected == 119
    assert held == []
