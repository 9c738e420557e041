"""The change feed: insert, update and withdrawal in order, resumable from any cursor, at least
once, never skipping a change of a transaction that commits late (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.db.models import records
from gongxin.errors import InvalidInput
from gongxin.exchange import audit, changefeed
from gongxin.exchange.changefeed import Change, Cursor, Page
from gongxin.exchange.exchange_view import read_changes
from gongxin.records import gate
from tests.exchange.sharing import TODAY, World, moment, open_world, row
from tests.intake.helpers import AS_OF


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    yield from open_world(db_url, tmp_path)


def pull(w: World, cursor: str | None = None, limit: int = 100, dataset: str = "licence") -> Page:
    with w.engine.begin() as conn:
        return read_changes(
            conn,
            w.catalog,
            w.caller(w.centre),
            dataset,
            cursor=cursor,
            limit=limit,
            now=moment(TODAY),
            purpose="联合惩戒名单比对",
        )


def feed(w: World, limit: int = 100) -> list[Change]:
    return pull(w, limit=limit, dataset="penalty").changes


def test_insert_update_then_withdrawal_in_order(world: World) -> None:
    first = row(1)
    world.penalties("p1.csv", first, row(2))
    world.penalties("p2.csv", {**first, "CF_NR": "警告，罚款人民币贰万元整"})  # a correction
    world.penalties("p3.csv", {**first, "CF_NR": "警告，罚款人民币贰万元整", "CF_ZT": "撤销"})
    changes = feed(world)
    rid = world.store.record(dedupe_key=_key(world, first["CF_WSH"]))["id"]
    mine = [c for c in changes if c.record_id == rid]
    assert [c.op for c in mine] == ["insert", "update", "withdraw"]
    assert [c.version for c in mine] == [1, 2, 3]
    assert mine[0].data is not None and mine[0].data["CF_NR"] == first["CF_NR"]  # as it was
    assert mine[1].data is not None and "贰万元" in mine[1].data["CF_NR"]
    assert mine[2].data is None and mine[2].reason and "撤销" in mine[2].reason
    assert [c.seq for c in changes] == sorted(c.seq for c in changes)
    with world.engine.connect() as conn:
        entry = audit.entries(conn, action="exchange.changes", newest_first=True, limit=1)[0]
    assert entry.purpose == "联合惩戒名单比对" and entry.detail["rows"] == len(changes)


def _key(w: World, number: str) -> str:
    for r in w.store.records():
        if r["data"]["CF_WSH"] == number:
            return str(r["dedupe_key"])
    raise AssertionError(number)


def test_resume_from_any_cursor_and_replay(world: World) -> None:
    world.penalties("p.csv", *(row(n) for n in range(1, 6)))
    everything = [c.seq for c in feed(world)]
    cursors, seen, cursor = [], [], None
    while True:
        page = pull(world, cursor, limit=2, dataset="penalty")
        seen.extend(c.seq for c in page.changes)
        cursors.append(page.next_cursor)
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert seen == everything
    middle = pull(world, cursors[0], dataset="penalty")  # resume after the first page
    assert [c.seq for c in middle.changes] == everything[2:]
    again = pull(world, cursors[0], dataset="penalty")  # the same cursor again: same changes
    assert [c.seq for c in again.changes] == everything[2:]
    tail = pull(world, cursors[-1], dataset="penalty")
    assert tail.changes == [] and not tail.has_more
    world.penalties("more.csv", row(9))  # new changes after the last cursor arrive
    assert [c.op for c in pull(world, tail.next_cursor, dataset="penalty").changes] == ["insert"]


def test_bad_cursors_are_refused(world: World) -> None:
    world.penalties("p.csv", row(1))
    good = pull(world, dataset="penalty").next_cursor
    for bad in ("not-a-cursor", good[:-3], good[:-1] + ("A" if good[-1] != "A" else "B")):
        with pytest.raises(InvalidInput):
            pull(world, bad, dataset="penalty")
    with pytest.raises(InvalidInput) as future:
        pull(world, Cursor("penalty", 10_000).encode(), dataset="penalty")
    assert "尚未发生" in future.value.zh
    with pytest.raises(InvalidInput) as other:
        pull(world, good, dataset="licence")
    assert "penalty" in other.value.zh


def test_sweep_appends_expiry_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.penalties("p.csv", row(1), row(2))
    real = gate.decide

    def ends_2027(spec: Any, data: Any, audience: Any, as_of: date) -> gate.Decision:
        if as_of >= date(2027, 1, 1):  # a window that ends for departments too
            return gate.Decision(False, "可见期已结束", "window ended")
        return real(spec, data, audience, as_of)

    monkeypatch.setattr(gate, "decide", ends_2027)
    with world.engine.begin() as conn:
        assert changefeed.sweep(conn, world.catalog, now=AS_OF, as_of=TODAY) == {}
        assert changefeed.sweep(conn, world.catalog, now=AS_OF, as_of=date(2027, 1, 1)) == {
            "penalty": 2
        }
        assert changefeed.sweep(conn, world.catalog, now=AS_OF, as_of=date(2027, 1, 2)) == {}
    assert [c.op for c in feed(world)] == ["insert", "insert", "expire", "expire"]


def _insert_record(conn: sa.Connection, n: int) -> None:
    now = datetime(2026, 11, 22, tzinfo=AS_OF.tzinfo)
    conn.execute(
        records.insert().values(
            dataset="penalty",
            dedupe_key=f"k{n}",
            content_hash=f"h{n}",
            version=1,
            submission_id="s",
            row_no=n,
            data=row(n),
            created_at=now,
            updated_at=now,
        )
    )


def test_late_committing_writer_is_never_skipped(pg_url: str, tmp_path: Path) -> None:
    for w in open_world(pg_url, tmp_path):
        slow, quick = w.engine.connect(), w.engine.connect()
        try:
            slow.begin()
            slow.exec_driver_sql("SELECT txid_current()")  # the older transaction id
            quick.begin()
            _insert_record(quick, 1)  # takes the lower seq …
            _insert_record(slow, 2)  # … the older transaction the higher one
            slow.commit()
            first = pull(w, dataset="penalty")  # the older transaction is settled: delivered
            assert [c.record_id for c in first.changes] == [2]
            quick.commit()
            second = pull(w, first.next_cursor, dataset="penalty")
            assert [c.record_id for c in second.changes] == [1]  # below the cursor, not skipped
            assert pull(w, second.next_cursor, dataset="penalty").changes == []
        finally:
            slow.close()
            quick.close()


def test_commit_out_of_seq_order_is_delivered_later(pg_url: str, tmp_path: Path) -> None:
    for w in open_world(pg_url, tmp_path):
        older, newer = w.engine.connect(), w.engine.connect()
        try:
            older.begin()
            _insert_record(older, 1)  # the lower seq, in a transaction that stays open
            newer.begin()
            _insert_record(newer, 2)
            newer.commit()
            first = pull(w, dataset="penalty")
            assert first.changes == []  # seq 2 waits: seq 1 may still commit
            older.commit()
            second = pull(w, first.next_cursor, dataset="penalty")
            assert [c.record_id for c in second.changes] == sorted(
                c.record_id for c in second.changes
            )
            assert len(second.changes) == 2
        finally:
            older.close()
            newer.close()
