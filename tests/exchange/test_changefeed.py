"""The change feed: insert, update and withdrawal in order, resumable from any cursor, at least
once, never skipping a change of a transaction that commits late (PostgreSQL)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db.exchange_tables import change_log
from gongxin.db.models import departments, records
from gongxin.errors import InvalidInput
from gongxin.exchange import changefeed, expiry
from gongxin.exchange.changefeed import Change, Cursor, Page
from gongxin.exchange.exchange_view import read_changes
from gongxin.identity import instance_secrets
from gongxin.records import gate, recompute
from tests.exchange.sharing import TODAY, World, moment, open_world, row
from tests.intake.helpers import (
    AS_OF,
    AUTHORITY,
    AUTHORITY_USCC,
    PROVIDER,
    make_uscc,
    penalty_row,
    write_csv,
    write_penalties,
)
from tests.support.cli import Cli


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


def secret(w: World) -> bytes:
    """The installation's cursor secret (made at the first pull)."""
    with w.engine.begin() as conn:
        return instance_secrets.resolve(conn, instance_secrets.CURSOR, now=moment(TODAY))


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


def test_each_change_keeps_its_data_and_a_recompute_keeps_its_sharing_decision(
    world: World,
) -> None:
    """The feed reads the change log alone: each change carries the data of its version as it
    was written (not the record's data now), and when the rules change (penalties become
    授权查询) the recompute rewrites the sharing decision of every change of the record, the
    superseded version's too, so the feed withdraws them with the gate's reason."""
    first = row(1)
    world.penalties("p1.csv", first)
    world.penalties("p2.csv", {**first, "CF_NR": "警告，罚款人民币贰万元整"})  # version 2
    before = [c for c in feed(world) if c.op in ("insert", "update")]
    assert [c.version for c in before] == [1, 2]
    assert before[0].data is not None and before[0].data["CF_NR"] == first["CF_NR"]
    with world.engine.begin() as conn:  # the record itself now holds version 2 only
        stored = conn.execute(sa.select(records.c.version, records.c.data)).one()
    assert stored.version == 2 and "贰万元" in stored.data["CF_NR"]
    spec = world.catalog.get("penalty").model_copy(update={"publicity_scope": "授权查询"})
    stricter = Catalog([spec if s.code == "penalty" else s for s in world.catalog])
    done = recompute.recompute(world.engine, stricter, regimes_dir=None, now=moment(TODAY))
    assert done.kinds["now_unshared"] == 1
    with world.engine.begin() as conn:
        after = read_changes(
            conn, stricter, world.caller(world.centre), "penalty", cursor=None, limit=100,
            now=moment(TODAY),
        ).changes  # fmt: skip
    assert [(c.op, c.version) for c in after] == [("withdraw", 1), ("withdraw", 2)]
    assert all(c.data is None and c.reason == gate._BY_CONSENT.zh for c in after)


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
    mid = len(good) // 2  # a middle character: the last one may only carry padding bits
    edited = good[:mid] + ("A" if good[mid] != "A" else "B") + good[mid + 1 :]
    for bad in ("not-a-cursor", good[:-3], edited):
        with pytest.raises(InvalidInput):
            pull(world, bad, dataset="penalty")
    with pytest.raises(InvalidInput) as future:
        pull(world, Cursor("penalty", 10_000).encode(secret(world)), dataset="penalty")
    assert "尚未发生" in future.value.zh
    with pytest.raises(InvalidInput) as other:
        pull(world, good, dataset="licence")
    assert "penalty" in other.value.zh


def test_cursors_are_signed_not_just_checksummed(world: World) -> None:
    """A caller who knows the format cannot forge a cursor: not by recomputing a checksum, not
    by signing with a secret of their own."""
    world.penalties("p.csv", row(1), row(2), row(3))
    first = pull(world, limit=1, dataset="penalty")
    mine = secret(world)
    text = first.next_cursor
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    assert raw.startswith("v2:penalty:") and len(raw.rsplit(":", 1)[1]) == 32  # a 128-bit tag
    payload = "v2:penalty:0:0"  # back to the start, with a checksum anyone can compute
    for check in (
        hashlib.sha256(payload.encode()).hexdigest()[:32],
        hmac.new(b"a-secret-of-my-own" * 2, payload.encode(), hashlib.sha256).hexdigest()[:32],
    ):
        forged = base64.urlsafe_b64encode(f"{payload}:{check}".encode()).decode().rstrip("=")
        with pytest.raises(InvalidInput, match="签名不符"):
            pull(world, forged, dataset="penalty")
    other = Cursor("penalty", 0).encode(b"another-installation-secret-0123456789")
    with pytest.raises(InvalidInput, match="签名不符"):
        pull(world, other, dataset="penalty")
    resumed = pull(world, Cursor("penalty", 0).encode(mine), dataset="penalty")
    assert len(resumed.changes) == 3  # signed with the installation's secret: accepted


def sweep(w: World, day: date) -> dict[str, int]:
    with w.engine.begin() as conn:
        return expiry.sweep(conn, w.catalog, now=moment(day), as_of=day)


def test_penalty_expires_when_its_publicity_window_ends(world: World) -> None:
    world.penalties("p.csv", row(1), row(2))  # decided 2026-11-02 by a 市场监督管理局: 3 years
    before = pull(world, dataset="penalty")
    assert sweep(world, TODAY) == {}
    assert sweep(world, date(2029, 11, 1)) == {}  # the last day of the window
    assert sweep(world, date(2029, 11, 2)) == {"penalty": 2}
    assert sweep(world, date(2029, 11, 2)) == {}  # idempotent
    assert sweep(world, date(2031, 1, 1)) == {}  # a record expires once
    changes = feed(world)
    assert [c.op for c in changes] == ["insert", "insert", "expire", "expire"]
    expired = changes[2]
    assert expired.ends_on == date(2029, 11, 2) and expired.record_id == changes[0].record_id
    assert expired.reason and "公示期已于 2029-11-02 届满" in expired.reason
    assert expired.data is not None and expired.data["CF_WSH"] == row(1)["CF_WSH"]  # history
    assert expired.to_dict()["ends_on"] == "2029-11-02"
    with world.engine.connect() as conn:  # the reason is stored with the expiry when appended
        stored = conn.execute(
            sa.select(change_log.c.reason).where(change_log.c.op == "expire")
        ).scalars()
        assert [r == expired.reason for r in stored] == [True, True]
    resumed = pull(world, before.next_cursor, dataset="penalty")  # a cursor from before the sweep
    assert [c.op for c in resumed.changes] == ["expire", "expire"]
    answer = orjson.loads(changefeed.page_json("penalty", resumed))  # as the API sends it
    assert [c["data"]["CF_WSH"] for c in answer["changes"]] == [row(1)["CF_WSH"], row(2)["CF_WSH"]]
    assert answer["changes"][0]["reason"] == expired.reason
    with world.engine.connect() as conn:
        entry = audit.entries(conn, action="exchange.sweep", newest_first=True, limit=1)[0]
    assert entry.detail["as_of"] == "2031-01-01" and entry.detail["expired"] == {}


def test_withdrawn_record_is_not_expired_and_a_correction_expires_again(world: World) -> None:
    world.penalties("p.csv", row(1), row(2))
    assert sweep(world, date(2030, 1, 1)) == {"penalty": 2}
    world.penalties("p2.csv", {**row(1), "CF_ZT": "撤销"}, {**row(2), "CF_NR": "罚款壹万元整"})
    assert sweep(world, date(2030, 1, 2)) == {"penalty": 1}  # the correction, not the withdrawal
    ops = [(c.op, c.version) for c in feed(world)]
    assert ops[:4] == [("insert", 1), ("insert", 1), ("expire", 1), ("expire", 1)]
    assert sorted(ops[4:6]) == [("update", 2), ("withdraw", 2)]  # the withdrawal: no expiry
    assert ops[6:] == [("expire", 2)]


def list_rows(path: Path, w: World, rows: list[dict[str, str]]) -> Path:
    spec = w.catalog.get("serious_dishonest_list")
    codes = list(dict.fromkeys(code for r in rows for code in r))
    return write_csv(
        path, [spec.field(c).name for c in codes], ([r.get(c, "") for c in codes] for r in rows)
    )


def entry(n: int, listed: str, planned: str, **values: str) -> dict[str, str]:
    return {
        "MD_ZTMC": f"北京测试{n}商贸有限公司",
        "MD_ZTLB": "法人及非法人组织",
        "MD_TYSHXYDM": make_uscc(n),
        "MD_WSH": f"京市监严列〔2025〕{n}号",
        "MD_LRRQ": listed,
        "MD_LRYY": "提交虚假材料取得登记",
        "MD_RDYJ": "《市场监督管理严重违法失信名单管理办法》第十条",
        "MD_RDJG": AUTHORITY,
        "MD_RDJGDM": AUTHORITY_USCC,
        "MD_JHYCRQ": planned,
        **values,
    }


def test_list_removal_and_planned_end_expire_long_term_never(world: World) -> None:
    removed = entry(1, "2025/03/01", "2028/03/01")
    rows = [removed, entry(2, "2023/01/01", "2026/01/01"), entry(3, "2025/05/01", "2099/12/31")]
    dataset = "serious_dishonest_list"
    world.store.ingest(list_rows(world.store.folder / "l1.csv", world, rows), dataset=dataset)
    fix = {**removed, "MD_SJYCRQ": "2026/11/10", "MD_YCYY": "信用修复，提前移出"}
    world.store.ingest(list_rows(world.store.folder / "l2.csv", world, [fix]), dataset=dataset)
    assert sweep(world, TODAY) == {dataset: 2}
    assert sweep(world, TODAY) == {}
    assert sweep(world, date(2200, 1, 1)) == {}  # 2099/12/31 = 长期: never expires
    changes = pull(world, dataset=dataset).changes
    assert [c.op for c in changes] == ["insert"] * 3 + ["update", "expire", "expire"]
    ends = {c.record_id: c for c in changes if c.op == "expire"}
    first, second = changes[0].record_id, changes[1].record_id
    assert set(ends) == {first, second}
    assert ends[first].ends_on == date(2026, 11, 10) and ends[first].version == 2
    assert ends[first].reason and "移出名单" in ends[first].reason
    assert ends[second].ends_on == date(2026, 1, 2)  # the day after the planned end
    assert ends[second].reason and "到期" in ends[second].reason


def test_in_force_ignores_that_natural_persons_are_never_public(world: World) -> None:
    spec = world.catalog.get("penalty")
    data = {"CF_JDRQ": "2026-11-02", "CF_CFLB": ["罚款"], "CF_NR_FK": "1", "CF_CFJG": AUTHORITY}
    person = {**data, "CF_XDR_LB": "自然人"}
    assert not gate.decide(spec, person, gate.Audience.PUBLIC, TODAY).visible
    assert expiry.in_force(spec, person, TODAY).visible
    assert expiry.ends_on(spec, person, TODAY) == expiry.ends_on(spec, data, TODAY)
    assert expiry.ends_on(spec, data, TODAY) == date(2029, 11, 2)
    warning = {**data, "CF_CFLB": ["警告"]}  # never published: out of force from the start
    assert expiry.ends_on(spec, warning, TODAY) == date(2026, 11, 2)
    assert expiry.ends_on(world.catalog.get("registration"), {}, TODAY) == expiry.NEVER


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
            department_id=sa.select(departments.c.id)
            .where(departments.c.name == PROVIDER)
            .scalar_subquery(),
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


def test_cli_sweep_reports_expiries_and_is_idempotent(ready: Cli) -> None:
    path = write_penalties(ready.folder / "p.csv", [penalty_row(1)])  # decided 2024-01-05
    ready.ok("ingest", str(path), "--dataset", "penalty", "--provider", PROVIDER)
    assert "0（无）" in ready.ok("exchange", "sweep", "--as-of", "2027-01-04").stdout
    assert "1（penalty 1）" in ready.ok("exchange", "sweep", "--as-of", "2027-01-05").stdout
    assert "0（无）" in ready.ok("exchange", "sweep", "--as-of", "2027-01-05").stdout
    expires = sa.select(sa.func.count()).where(change_log.c.op == "expire")
    assert ready.scalar(expires.select_from(change_log)) == 1


def test_migration_0023_fills_the_changes_already_logged(world: World) -> None:
    """A store whose change log was written before migration 0023 (changes without their data
    and sharing decision; a superseded version among them) is back-filled by the migration: the
    feed gives the same changes as before, each version with its own data."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from gongxin.db import migrate

    first = row(1)
    world.penalties("p1.csv", first, row(2))
    world.penalties("p2.csv", {**first, "CF_NR": "警告，罚款人民币贰万元整"})
    world.penalties("p3.csv", {**row(2), "CF_ZT": "撤销"})  # withdrawn
    wanted = [(c.seq, c.op, c.version, c.data, c.reason) for c in feed(world)]
    assert [op for _, op, _, _, _ in wanted] == ["insert", "insert", "update", "withdraw"]
    config = migrate._config
    with world.engine.begin() as conn:
        before = ScriptDirectory.from_config(config(conn)).get_revision("0023").down_revision
        command.downgrade(config(conn), str(before))
        assert "payload" not in {c["name"] for c in sa.inspect(conn).get_columns("change_log")}
    world.penalties("p4.csv", row(3))  # logged by the triggers of before 0023
    assert migrate.upgrade(world.engine) == migrate.head_revision()
    with world.engine.begin() as conn:
        empty = conn.execute(
            sa.select(sa.func.count())
            .where(
                sa.or_(
                    change_log.c.payload.is_(None) & change_log.c.body.is_(None),
                    change_log.c.shared.is_(None),
                )
            )
            .select_from(change_log)
        ).scalar_one()
    assert empty == 0
    got = [(c.seq, c.op, c.version, c.data, c.reason) for c in feed(world)]
    assert got[:4] == wanted and [(op, v) for _, op, v, _, _ in got[4:]] == [("insert", 1)]
