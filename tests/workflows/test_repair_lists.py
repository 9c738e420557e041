"""A granted repair of a list entry (removal from the severe list) ends its measures in the
credit check from the decision date; the day before, the check still hits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gongxin.catalog.registry import load_catalog
from gongxin.workflows import applications
from gongxin.workflows.applications import Filing
from gongxin.workflows.attachments import Upload
from gongxin.workflows.deadlines import jurisdiction
from tests.sanctions.helpers import World, open_world
from tests.workflows.repair_helpers import PDF

DECIDED = date(2026, 11, 16)


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield from open_world(db_url)


def test_repaired_list_entry_leaves_the_credit_check(world: World, tmp_path: Path) -> None:
    sid, code = world.subject(7, "北京修复测试有限公司")
    rid = world.entry("serious_dishonest_list", code, subject_id=sid, listed="2025-03-01")
    assert world.check([code], as_of=DECIDED).results[0]["hits"]
    now = datetime(2026, 11, 12, 2, tzinfo=UTC)
    filing = Filing("repair", rid, "王五", code, "13900000000", "wangwu@example.org",
                    "已履行义务，申请移出严重失信主体名单。", True, True, True)  # fmt: skip
    with world.engine.begin() as conn:
        filed = applications.file(
            conn, load_catalog(), filing, [Upload("proof.pdf", PDF)], rules=jurisdiction(),
            var_dir=tmp_path, max_bytes=10_000, max_count=2,
            as_of=now.date(), now=now,
        )  # fmt: skip
        applications.decide(conn, load_catalog(), filed.id, "granted", "准予移出名单。",
                            actor="user:1", department_id=None, as_of=DECIDED, now=now)  # fmt: skip
    before = world.check([code], as_of=date(2026, 11, 15)).results[0]
    on = world.check([code], as_of=DECIDED).results[0]
    assert before["hits"] and before["measures"]
    assert on["hits"] == [] and on["measures"] == []


def test_a_pending_objection_shows_in_the_credit_check(world: World, tmp_path: Path) -> None:
    sid, code = world.subject(8, "北京异议测试有限公司")
    rid = world.entry("serious_dishonest_list", code, subject_id=sid, listed="2025-03-01")
    assert world.check([code], as_of=DECIDED).results[0]["hits"][0]["objection"] is None
    now = datetime(2026, 11, 12, 2, tzinfo=UTC)
    filing = Filing("objection", rid, "王五", code, "13900000000", "wangwu@example.org",
                    "列入依据有误。")  # fmt: skip
    with world.engine.begin() as conn:
        applications.file(conn, load_catalog(), filing, [], rules=jurisdiction(),
                          var_dir=tmp_path, max_bytes=10_000, max_count=2, as_of=now.date(),
                          now=now)  # fmt: skip
    (hit,) = world.check([code], as_of=DECIDED).results[0]["hits"]
    assert hit["objection"] == "异议处理中"  # still listed, marked
