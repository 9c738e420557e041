"""The change feed's JSON (migrations 0033, 0035): each change's JSON is made in SQL from its
row (an expiry's stored when it is logged), and the feed sends those bytes; they must be exactly
what the feed makes from the change's columns (the path a grant that cuts fields still takes),
whatever the change."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

from gongxin.db.exchange_tables import change_log
from gongxin.exchange import changefeed, expiry
from gongxin.exchange.grants import Access
from gongxin.records import decisions
from tests.exchange.sharing import World, open_world, row

SECRET = b"s" * 32
AFTER = date(2030, 6, 1)  # every penalty decided in November 2026 is out of its window (3 years)


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    yield from open_world(db_url, tmp_path)


def _varied(w: World) -> None:
    """Changes of every kind: inserts, a correction, a withdrawal (撤销), an objection (its mark),
    a granted repair, a version with quotes and backslashes in its text, and the expiries of
    the rest, stamped at an instant with microseconds (and one without)."""
    w.penalties("p1.csv", row(1), row(2), row(3), row(4), row(5))
    w.penalties("p2.csv", {**row(1), "CF_NR": "警告，罚款人民币贰万元整"})  # update
    w.penalties("p3.csv", {**row(2), "CF_ZT": "撤销"})  # withdrawn: no data for departments
    w.penalties("p4.csv", {**row(6), "CF_SY": '在网店标称"特效"字样，路径 C:\\广告\\图.png'})
    spec = w.catalog.get("penalty")
    ids = {r["data"]["CF_WSH"]: r["id"] for r in w.store.records()}
    late = datetime(2026, 11, 23, 3, 4, 5, 678901, tzinfo=UTC)
    with w.engine.begin() as conn:
        decisions.set_status(conn, spec, ids[row(3)["CF_WSH"]], "objection", date(2026, 11, 23),
                             now=late, by="test")  # fmt: skip
        decisions.set_status(conn, spec, ids[row(4)["CF_WSH"]], "repaired", date(2026, 11, 23),
                             now=late, by="test")  # fmt: skip
    with w.engine.begin() as conn:
        expiry.sweep(conn, w.catalog, now=datetime(2030, 6, 1, 1, 2, 3, 45, tzinfo=UTC),
                     as_of=AFTER)  # fmt: skip
    w.penalties("p5.csv", row(7))  # logged after the sweep: an insert not expired yet


def _pages(w: World, stored: bool, limit: int, *, cursors: bool = True) -> list[bytes]:
    """The feed's pages as sent; without ``cursors``, each page's changes alone (a cursor
    carries PostgreSQL's transaction horizon, which any write in between moves)."""
    spec = w.catalog.get("penalty")
    out, cursor = [], None
    while True:
        with w.engine.begin() as conn:
            page = changefeed.read(conn, Access(spec, None, "centre", None), cursor, limit,
                                   AFTER, secret=SECRET, stored=stored)  # fmt: skip
        sent = changefeed.page_json("penalty", page)
        out.append(sent if cursors else sent.split(b'],"next_cursor"')[0])
        cursor = page.next_cursor
        if not page.has_more:
            return out


def test_stored_changes_are_the_bytes_the_feed_makes_from_their_columns(world: World) -> None:
    _varied(world)
    spec = world.catalog.get("penalty")
    with world.engine.begin() as conn:
        page = changefeed.read(conn, Access(spec, None, "centre", None), None, 1000, AFTER,
                               secret=SECRET)  # fmt: skip
    sent = [item for item in page.items if isinstance(item, bytes)]
    made = [item for item in page.items if not isinstance(item, bytes)]
    ops = [c.op for c in page.changes]
    assert ops.count("expire") >= 4 and "repair" in ops and "withdraw" in ops
    # inserts, updates and expiries go out as stored; withdrawn, marked and repaired versions
    # are made by the gate
    assert len(sent) == 11  # 7 inserts, the correction, 3 expiries
    assert {changefeed._parsed(item).op for item in sent} == {"insert", "update", "expire"}
    assert {c.op for c in made} == {"withdraw", "update", "repair", "expire"}
    assert all(c.mark or c.op in ("withdraw", "repair") for c in made)  # the objection's
    for limit in (1000, 3):
        assert _pages(world, True, limit) == _pages(world, False, limit)


def test_a_grant_that_cuts_fields_gets_them_cut_not_the_stored_body(world: World) -> None:
    world.penalties("p1.csv", row(1))
    spec = world.catalog.get("penalty")
    with world.engine.begin() as conn:
        page = changefeed.read(conn, Access(spec, ["CF_WSH", "CF_XDR_MC"], "grant", None), None,
                               10, AFTER, secret=SECRET)  # fmt: skip
    (change,) = page.changes
    assert change.data == {"CF_WSH": row(1)["CF_WSH"], "CF_XDR_MC": row(1)["CF_XDR_MC"]}


def _migration(name: str) -> ModuleType:
    from gongxin.db import migrate

    path = Path(migrate.__file__).parent / "migrations" / "versions" / name
    found = importlib.util.spec_from_file_location(f"gongxin_migration_{name[:4]}", path)
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def _restore_payloads(conn: sa.Connection) -> None:
    """Each insert's and update's data back in ``payload`` beside its body, as before 0035."""
    cut = _migration("0035_change_bodies_at_read.py").cut(conn.dialect.name == "postgresql")
    conn.exec_driver_sql(
        f"UPDATE change_log SET payload = {cut} WHERE payload IS NULL AND body IS NOT NULL"
    )


def _kept_twice(conn: sa.Connection) -> int:
    c = change_log.c
    twice = sa.select(sa.func.count()).where(
        c.op.in_(("insert", "update")), c.payload.is_not(None), c.body.is_not(None)
    )
    return int(conn.execute(twice).scalar_one())


def test_the_change_log_keeps_each_version_s_data_once(world: World) -> None:
    """An insert or an update keeps its version's data once (migration 0035): inside its stored
    JSON when it has one, else in ``payload``; every change still has its data."""
    _varied(world)
    c = change_log.c
    with world.engine.begin() as conn:
        assert _kept_twice(conn) == 0
        bodies = conn.execute(sa.select(sa.func.count()).where(c.body.is_not(None))).scalar_one()
        missing = sa.select(sa.func.count()).where(c.payload.is_(None), c.body.is_(None))
        assert conn.execute(missing).scalar_one() == 0
    assert bodies >= 11


def test_migration_0035_and_back_keep_the_bytes_the_feed_sends(world: World) -> None:
    """Down to 0034 (each data twice) and up again (once): the feed's changes, stored and made
    from the columns, are byte for byte the same at every step."""
    from alembic import command

    from gongxin.db import migrate

    _varied(world)

    def pages() -> list[list[bytes]]:
        return [
            _pages(world, s, limit, cursors=False) for s in (True, False) for limit in (1000, 3)
        ]

    sent = pages()
    assert sent[0] == sent[2]  # stored and made agree
    with world.engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0034")
        assert _kept_twice(conn) >= 8  # 7 inserts and the correction
    assert pages() == sent
    assert migrate.upgrade(world.engine) == migrate.head_revision()
    with world.engine.begin() as conn:
        assert _kept_twice(conn) == 0
    assert pages() == sent


def test_migration_back_fill_writes_the_bodies_the_triggers_and_expiries_write(
    world: World,
) -> None:
    """The back-fill of the changes logged before 0033 (SQL) gives each change the body the
    triggers and the expiry job (Python) give a new one."""
    _varied(world)
    bodies = sa.select(change_log.c.seq, change_log.c.body).order_by(change_log.c.seq)
    with world.engine.begin() as conn:
        written = conn.execute(bodies).all()
        _restore_payloads(conn)  # 0033's back-fill reads the data from there
        conn.execute(change_log.update().values(body=None))
        _migration("0033_change_bodies.py").back_fill(conn)
        filled = conn.execute(bodies).all()
    assert sum(1 for _, b in written if b is not None) >= 11
    assert filled == written
