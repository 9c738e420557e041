"""The audit log: appended in order, hash-chained, and ``audit verify`` catches tampering."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db import migrate
from gongxin.db.audit_tables import audit_log
from gongxin.db.engine import make_engine
from tests.intake.helpers import AS_OF
from tests.support.cli import Cli


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def _fill(engine: sa.Engine, n: int = 5) -> None:
    with engine.begin() as conn:
        for i in range(n):
            audit.record(
                conn,
                actor=f"user:clerk{i}",
                action="exchange.read",
                target=f"penalty/records?page={i}",
                purpose="行政许可审查",
                detail={"rows": i, "字段": ["CF_WSH"]},
                now=AS_OF + timedelta(minutes=i),
            )


def test_an_untouched_log_verifies(engine: sa.Engine) -> None:
    _fill(engine)
    with engine.connect() as conn:
        verdict = audit.verify(conn)
        assert verdict.ok and verdict.entries == 5
        listed = audit.entries(conn, newest_first=True, limit=2)
    assert [e.seq for e in listed] == [5, 4]
    assert listed[0].detail == {"rows": 4, "字段": ["CF_WSH"]}


@pytest.mark.parametrize(
    "tamper",
    [
        sa.update(audit_log).where(audit_log.c.seq == 3).values(purpose="别的用途"),
        sa.update(audit_log).where(audit_log.c.seq == 3).values(detail={"rows": 99}),
        sa.update(audit_log).where(audit_log.c.seq == 5).values(actor="user:someone"),
        sa.delete(audit_log).where(audit_log.c.seq == 2),
    ],
    ids=["purpose edited", "detail edited", "last entry edited", "entry deleted"],
)
def test_an_edited_or_deleted_entry_is_named(engine: sa.Engine, tamper: sa.Executable) -> None:
    _fill(engine)
    with engine.begin() as conn:
        conn.execute(tamper)
    with engine.connect() as conn:
        verdict = audit.verify(conn)
    assert not verdict.ok
    assert verdict.first_bad in {2, 3, 5}
    assert "审计日志" in verdict.zh and "audit entry" in verdict.en


def test_a_rehashed_edit_still_breaks_the_next_link(engine: sa.Engine) -> None:
    """Whoever edits an entry and recomputes its hash breaks the chain at the next entry."""
    _fill(engine)
    with engine.begin() as conn:
        row = conn.execute(sa.select(audit_log).where(audit_log.c.seq == 2)).one()._mapping
        forged = audit.digest(
            row["prev_hash"], 2, row["at"], "user:forger", None, row["action"],
            row["target"], row["purpose"], row["detail"],
        )  # fmt: skip
        conn.execute(
            sa.update(audit_log)
            .where(audit_log.c.seq == 2)
            .values(actor="user:forger", hash=forged)
        )
    with engine.connect() as conn:
        verdict = audit.verify(conn)
    assert not verdict.ok and verdict.first_bad == 3


def test_a_batch_appends_in_one_insert_and_chains_onto_the_log(engine: sa.Engine) -> None:
    """The check log's group writer audits a whole batch at once: one tail read, one insert,
    entries chained in order onto what was there, and the chain still verifies."""
    _fill(engine, 2)
    inserts: list[str] = []

    def count(_c: object, _cur: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG"):
            inserts.append(statement)

    batch = [
        audit.Append(f"key:{i}", "sanctions.check", f"check:{i}", AS_OF, None, "资格审查",
                     {"hits": i})
        for i in range(7)
    ]  # fmt: skip
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with engine.begin() as conn:
            seqs = audit.record_many(conn, batch)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert seqs == list(range(3, 10)) and len(inserts) == 1
    with engine.connect() as conn:
        verdict = audit.verify(conn)
        newest = audit.entries(conn, newest_first=True, limit=1)[0]
    assert verdict.ok and verdict.entries == 9
    assert newest.target == "check:6" and newest.detail == {"hits": 6}


def test_cli_audit_verify_exits_1_on_tampering(ready: Cli) -> None:
    engine = make_engine(ready.url)
    try:
        _fill(engine, 3)
        # what `ready` set up is audited too (the department, the authorities it may file for,
        # its assignment as the register's provider): 3 + 3 entries
        assert "共 6 条" in ready.ok("audit", "verify").stdout
        assert "clerk2" in ready.ok("audit", "list").stdout
        with engine.begin() as conn:
            conn.execute(sa.update(audit_log).where(audit_log.c.seq == 1).values(target="x"))
    finally:
        engine.dispose()
    result = ready("audit", "verify")
    assert result.exit_code == 1
    assert "第 1 条" in result.stderr
