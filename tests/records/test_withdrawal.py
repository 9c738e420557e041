"""A department withdraws a revoked penalty by resubmitting it with 当前状态 撤销."""

from __future__ import annotations

from datetime import date

from gongxin.catalog.registry import load_catalog
from gongxin.records.gate import Audience
from gongxin.subjects.profile import visible_records
from tests.intake.helpers import (
    PENALTY_COLUMNS,
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_registrations,
)

TODAY = date(2026, 11, 22)


def public_numbers(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        shown = visible_records(
            conn, load_catalog(), make_uscc(1), audience=Audience.PUBLIC, as_of=TODAY
        )
    return [r["data"]["CF_WSH"] for r in shown if r["dataset"] == "penalty"]


def test_resubmitting_a_penalty_as_revoked_withdraws_it_and_keeps_history(store: Store) -> None:
    store.ingest(write_registrations(store.folder / "r.csv", [registration_row(1)]), "registration")
    columns = [*PENALTY_COLUMNS, "CF_ZT"]
    row = penalty_row(1, CF_JDRQ="2026-11-02")
    store.ingest(store.penalties("p.csv", [row], columns=columns))
    assert public_numbers(store) == [row["CF_WSH"]]
    again = store.ingest(store.penalties("revoked.csv", [{**row, "CF_ZT": "1"}], columns=columns))
    assert (again.updated, again.rejected) == (1, 0)  # a correction of the same decision
    assert public_numbers(store) == []
    assert store.count("record_history") == 1  # what was published stays on file
