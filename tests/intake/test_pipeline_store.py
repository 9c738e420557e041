"""ingest(): every row is accounted for, a repeated file changes nothing, corrections keep
their history, duplicates are recognised within a file and across files."""

from __future__ import annotations

import pytest

from tests.intake.helpers import (
    PENALTY_COLUMNS,
    Store,
    assert_reconciles,
    penalty_row,
    wrong_check,
)


def test_mixed_file_reconciles_to_the_rows_read(store: Store) -> None:
    first = store.ingest(store.penalties("first.csv", [penalty_row(1), penalty_row(2)]))
    assert (first.rows, first.accepted) == (2, 2)
    rows = [
        penalty_row(1),  # duplicate of the first file
        penalty_row(2, CF_NR="警告，罚款人民币贰万元整", CF_NR_FK="2"),  # correction
        penalty_row(3),  # new
        penalty_row(3),  # the same row again in this file
        penalty_row(4, CF_XDR_SHXYM=wrong_check(penalty_row(4)["CF_XDR_SHXYM"])),  # bad code
        penalty_row(5, CF_JDRQ="2024/13/45"),  # bad date
        penalty_row(6, CF_SY=""),  # required field empty
    ]
    summary = store.ingest(store.penalties("second.csv", rows))
    assert summary.rows == 7
    assert (summary.accepted, summary.updated, summary.duplicates, summary.rejected) == (1, 1, 2, 3)
    assert_reconciles(summary)
    assert store.count("records") == 3
    assert store.count("rejects") == 3


@pytest.mark.parametrize("batch_rows", [1, 3, 5000])
def test_reconciles_whatever_the_batch_size(store: Store, batch_rows: int) -> None:
    rows = [
        penalty_row(n % 7, CF_NR=f"罚款{n % 3}") if n % 5 else penalty_row(n, CF_SY="")
        for n in range(40)
    ]
    summary = store.ingest(store.penalties("mixed.csv", rows), batch_rows=batch_rows)
    assert summary.rows == 40
    assert summary.rejected == 8
    assert_reconciles(summary)
    assert store.count("rejects") == summary.rejected
    assert store.count("records") == summary.accepted


def test_same_file_twice_changes_nothing(store: Store) -> None:
    rows = [penalty_row(1), penalty_row(2), penalty_row(3, CF_SY="")]
    path = store.penalties("penalties.csv", rows)
    first = store.ingest(path)
    assert (first.accepted, first.rejected, first.already_processed) == (2, 1, False)
    before = store.counts()
    stored = store.records()

    again = store.ingest(path)

    assert again.already_processed is True
    assert again.submission_id == first.submission_id
    assert (again.rows, again.accepted, again.rejected) == (3, 2, 1)
    assert store.counts() == before
    assert store.records() == stored


def test_same_file_under_another_name_is_still_already_processed(store: Store) -> None:
    path = store.penalties("a.csv", [penalty_row(1)])
    first = store.ingest(path)
    copy = store.folder / "copy-of-a.csv"
    copy.write_bytes(path.read_bytes())
    again = store.ingest(copy)
    assert again.already_processed is True
    assert again.submission_id == first.submission_id
    assert store.count("submissions") == 1


def test_same_rows_in_a_different_file_are_duplicates(store: Store) -> None:
    rows = [penalty_row(n) for n in range(1, 6)]
    first = store.ingest(store.penalties("a.csv", rows))
    assert first.accepted == 5
    reordered = list(reversed(PENALTY_COLUMNS))
    second = store.ingest(store.penalties("b.csv", rows[::-1], columns=reordered))
    assert second.already_processed is False
    assert second.submission_id != first.submission_id
    assert (second.rows, second.accepted, second.updated, second.duplicates) == (5, 0, 0, 5)
    assert store.count("records") == 5
    assert store.count("record_history") == 0
    assert {r["submission_id"] for r in store.records()} == {first.submission_id}


def test_a_changed_row_is_an_update_and_the_old_version_is_kept(store: Store) -> None:
    first = store.ingest(store.penalties("a.csv", [penalty_row(1), penalty_row(2)]))
    changed = penalty_row(1, CF_NR="警告，罚款人民币伍万元整", CF_NR_FK="5")
    second = store.ingest(store.penalties("b.csv", [changed, penalty_row(2)]))
    assert (second.accepted, second.updated, second.duplicates) == (0, 1, 1)

    record = store.record(dedupe_key=store.records()[0]["dedupe_key"])
    assert record["version"] == 2
    assert record["data"]["CF_NR"] == "警告，罚款人民币伍万元整"
    assert record["data"]["CF_NR_FK"] == "5.000000"
    assert record["submission_id"] == second.submission_id
    history = store.history(record["id"])
    assert len(history) == 1
    old = history[0]
    assert old["version"] == 1
    assert old["data"]["CF_NR"] == "警告，罚款人民币壹万元整"
    assert old["data"]["CF_NR_FK"] == "1.000000"
    assert old["submission_id"] == first.submission_id
    assert old["replaced_by"] == second.submission_id
    assert store.count("records") == 2


def test_a_second_correction_keeps_both_earlier_versions(store: Store) -> None:
    store.ingest(store.penalties("a.csv", [penalty_row(1, CF_NR="一")]))
    store.ingest(store.penalties("b.csv", [penalty_row(1, CF_NR="二")]))
    third = store.ingest(store.penalties("c.csv", [penalty_row(1, CF_NR="三")]))
    assert third.updated == 1
    (record,) = store.records()
    assert (record["version"], record["data"]["CF_NR"]) == (3, "三")
    history = store.history(record["id"])
    assert [(h["version"], h["data"]["CF_NR"]) for h in history] == [(1, "一"), (2, "二")]


@pytest.mark.parametrize("batch_rows", [1, 5000], ids=["separate-batches", "one-batch"])
def test_identical_rows_within_one_file(store: Store, batch_rows: int) -> None:
    summary = store.ingest(
        store.penalties("a.csv", [penalty_row(1), penalty_row(1)]), batch_rows=batch_rows
    )
    assert (summary.rows, summary.accepted, summary.duplicates, summary.updated) == (2, 1, 1, 0)
    (record,) = store.records()
    assert record["version"] == 1
    assert store.count("record_history") == 0


@pytest.mark.parametrize("batch_rows", [1, 5000], ids=["separate-batches", "one-batch"])
def test_same_key_different_content_within_one_file(store: Store, batch_rows: int) -> None:
    rows = [penalty_row(1, CF_NR="先"), penalty_row(1, CF_NR="后")]
    summary = store.ingest(store.penalties("a.csv", rows), batch_rows=batch_rows)
    assert (summary.rows, summary.accepted, summary.updated, summary.duplicates) == (2, 1, 1, 0)
    (record,) = store.records()
    assert (record["version"], record["data"]["CF_NR"], record["row_no"]) == (2, "后", 3)
    (old,) = store.history(record["id"])
    assert (old["version"], old["data"]["CF_NR"], old["row_no"]) == (1, "先", 2)


def test_the_summary_is_stored_with_the_submission(store: Store) -> None:
    rows = [penalty_row(1), penalty_row(1), penalty_row(2, CF_SY="")]
    summary = store.ingest(store.penalties("a.csv", rows))
    again = store.ingest(store.folder / "a.csv")
    for name in ("rows", "accepted", "updated", "duplicates", "rejected", "unlinked", "layout"):
        assert getattr(again, name) == getattr(summary, name), name
    assert (summary.rows, summary.accepted, summary.duplicates, summary.rejected) == (3, 1, 1, 1)
