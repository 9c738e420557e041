"""The group writer: concurrent checks are logged and audited, each once and chained; nothing
is answered before it is committed; one bad check in a batch fails only itself."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.audit_tables import audit_log
from gongxin.db.models import api_keys
from gongxin.db.sanctions_tables import check_results, checks
from gongxin.db.security_tables import check_usage
from gongxin.errors import RateLimited
from gongxin.sanctions import check, log, quota, writer
from tests.intake.helpers import AS_OF, catalog
from tests.sanctions.helpers import TODAY, World, open_world


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield from open_world(db_url)


def _entry(world: World, code: str, check_id: str | None = None) -> log.Entry:
    req = check.Request([code], "政府采购", "张经办", "资格审查", TODAY)
    with world.engine.connect() as conn:
        done, items = check.evaluate(conn, catalog(), req, now=AS_OF)
    return log.Entry(
        check_id or done.id, items, done.results, done.scene.code, TODAY, AS_OF, "key:test",
        world.department_id, req.requester, req.purpose,
    )  # fmt: skip


def test_concurrent_checks_are_each_logged_and_audited(world: World) -> None:
    sid, code = world.subject(1)
    world.entry("dishonest_debtor", code, subject_id=sid)
    entries = [_entry(world, code) for _ in range(24)]
    group = writer.for_engine(world.engine)
    with ThreadPoolExecutor(8) as pool:
        futures = list(pool.map(group.submit, entries))
    for f in futures:
        assert f.result(timeout=30) is None  # resolved only after the commit
    ids = {e.check_id for e in entries}
    with world.engine.connect() as conn:
        logged = set(conn.execute(sa.select(checks.c.id)).scalars())
        results = conn.execute(sa.select(sa.func.count()).select_from(check_results)).scalar()
        targets = list(
            conn.execute(
                sa.select(audit_log.c.target).where(audit_log.c.action == "sanctions.check")
            ).scalars()
        )
        verdict = audit.verify(conn)
        hits = conn.execute(sa.select(checks.c.hits).where(checks.c.id.in_(ids))).scalars()
        assert set(hits) == {1}
    assert logged == ids and results == 24
    assert sorted(targets) == sorted(f"check:{i}" for i in ids) and verdict.ok


def test_one_bad_check_in_a_batch_fails_alone(world: World) -> None:
    _, code = world.subject(1)
    good = _entry(world, code)
    twin = _entry(world, code, check_id=good.check_id)  # the same id: cannot be logged twice
    other = _entry(world, code)
    group = writer.GroupWriter(world.engine)
    first: Future[None] = Future()
    second: Future[None] = Future()
    third: Future[None] = Future()
    for entry, future in ((good, first), (twin, second), (other, third)):
        group._queue.put((entry, None, future))  # queued together: written as one batch
    group._run_once()
    assert first.result() is None and third.result() is None
    with pytest.raises(sa.exc.IntegrityError):
        second.result()
    with world.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(checks)).scalar() == 2
        assert audit.verify(conn).ok


def test_a_batch_is_charged_in_order_and_what_goes_over_is_neither_counted_nor_logged(
    world: World,
) -> None:
    _, code = world.subject(1)
    entries = [_entry(world, code) for _ in range(3)]
    with world.engine.connect() as conn:
        key_id = conn.execute(sa.select(api_keys.c.id)).scalar_one()
    charges = [quota.Charge(key_id, "gx_test", n, 5, AS_OF) for n in (3, 4, 2)]
    group = writer.GroupWriter(world.engine)
    futures: list[Future[None]] = [Future() for _ in entries]
    for entry, charge, future in zip(entries, charges, futures, strict=True):
        group._queue.put((entry, charge, future))  # queued together: written as one batch
    group._run_once()
    assert futures[0].result() is None and futures[2].result() is None
    with pytest.raises(RateLimited) as refused:
        futures[1].result()
    assert refused.value.details["used"] == 3 and refused.value.details["asked"] == 4
    with world.engine.connect() as conn:
        logged = set(conn.execute(sa.select(checks.c.id)).scalars())
        used = conn.execute(sa.select(check_usage.c.subjects)).scalars().all()
    assert logged == {entries[0].check_id, entries[2].check_id} and used == [5]
