"""Product traceability: trace records arrive through intake (a node code failing its check
character is rejected), a batch's chain shows upstream and downstream with each node's credit
status, and a recall lists every downstream node holding the batch with its quantities."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from gongxin.approval import trace
from gongxin.errors import InvalidInput, NotFound
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.approval.trace_helpers import (
    AS_OF_DATE,
    BATCH,
    CANTEEN,
    CODE,
    IDS,
    MARKET,
    PRODUCER,
    SHOP,
    WHOLESALER,
    load_chain,
    row,
)  # fmt: skip
from tests.intake.helpers import catalog, wrong_check
from tests.sanctions.helpers import World, open_world
from tests.support.http import TestClient

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield from open_world(db_url)


def _chain(world: World, **kw: str) -> dict[str, object]:
    with world.engine.connect() as conn:
        return trace.chain(conn, catalog(), as_of=AS_OF_DATE, **kw)


def _recall(world: World, **kw: str) -> dict[str, object]:
    with world.engine.connect() as conn:
        return trace.recall(conn, catalog(), as_of=AS_OF_DATE, **kw)


def test_a_node_code_with_a_wrong_check_character_is_rejected_by_intake(
    world: World, tmp_path: Path
) -> None:
    bad_node = row(wrong_check(SHOP), WHOLESALER, "10", "2026/11/05")
    bad_up = row(SHOP, wrong_check(WHOLESALER), "10", "2026/11/06")
    done = load_chain(world, catalog(), tmp_path, [bad_node, bad_up])
    assert (done.accepted, done.rejected) == (6, 2)
    chain = _chain(world, product="冷鲜猪肉", batch=BATCH)
    assert {n["code"] for n in chain["nodes"]} == {PRODUCER, WHOLESALER, SHOP, MARKET, CANTEEN}


def test_the_chain_upstream_and_downstream_with_credit_status(world: World, tmp_path: Path) -> None:
    load_chain(world, catalog(), tmp_path)
    world.entry(
        "serious_dishonest_list",
        WHOLESALER,
        subject_id=IDS[WHOLESALER],
        name="北京新发地肉类批发有限公司",
        listed="2025-05-01",
    )
    found = _chain(world, trace_code=CODE, node=MARKET)
    assert (found["product"], found["batch"]) == ("冷鲜猪肉", BATCH)
    levels = {n["code"]: n["level"] for n in found["nodes"]}
    assert levels == {PRODUCER: 0, WHOLESALER: 1, SHOP: 2, MARKET: 2, CANTEEN: 3}
    assert [(n["code"], n["distance"]) for n in found["upstream"]] == [
        (WHOLESALER, 1),
        (PRODUCER, 2),
    ]
    assert [n["code"] for n in found["downstream"]] == [CANTEEN]
    status = {n["code"]: n["credit"]["status"] for n in found["nodes"]}
    assert status[WHOLESALER] == "listed" and status[PRODUCER] == "clean"
    assert "严重违法失信名单" in found["upstream"][0]["credit"]["status_zh"]


def test_recall_lists_every_downstream_holder_with_quantities(world: World, tmp_path: Path) -> None:
    load_chain(world, catalog(), tmp_path)
    found = _recall(world, product="冷鲜猪肉", batch=BATCH)
    assert [s["code"] for s in found["sources"]] == [PRODUCER]
    held = {h["code"]: (h["received"], h["passed_on"], h["held"]) for h in found["holders"]}
    assert held == {
        WHOLESALER: (Decimal(1000), Decimal(800), Decimal(200)),
        SHOP: (Decimal(300), Decimal(0), Decimal(300)),
        MARKET: (Decimal(500), Decimal(100), Decimal(400)),
        CANTEEN: (Decimal(100), Decimal(0), Decimal(100)),
    }
    assert found["held_total"] == Decimal(1000) and found["units"] == ["千克"]
    from_market = _recall(world, product="冷鲜猪肉", batch=BATCH, node=MARKET)
    assert [h["code"] for h in from_market["holders"]] == [CANTEEN]


def test_bad_queries_are_refused(world: World, tmp_path: Path) -> None:
    load_chain(world, catalog(), tmp_path)
    with pytest.raises(InvalidInput):
        _chain(world, batch=BATCH)  # no product, no trace code
    with pytest.raises(NotFound):
        _chain(world, product="冷鲜猪肉", batch="NO-SUCH")
    with pytest.raises(InvalidInput) as outside:
        _recall(world, product="冷鲜猪肉", batch=BATCH, node="91110000000000000X")
    assert PRODUCER in outside.value.details["valid"]


def test_the_api_and_the_portal_pages(world: World, tmp_path: Path, db_url: str) -> None:
    load_chain(world, catalog(), tmp_path)
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as client:
        got = client.get("/api/v1/trace/chain", params={"trace_code": CODE, "node": SHOP}).json()
        assert [n["code"] for n in got["upstream"]] == [WHOLESALER, PRODUCER]
        assert got["nodes"][0]["credit"]["status"] == "clean"
        recall = client.get("/api/v1/trace/recall", params={"product": "冷鲜猪肉", "batch": BATCH})
        assert {h["code"]: h["held"] for h in recall.json()["holders"]}[MARKET] == "400"
        bad = client.get("/api/v1/trace/recall", params={"batch": BATCH})
        assert bad.status_code == 400
        page = client.get("/trace", params={"trace_code": CODE}).text
        assert "北京绿野养殖有限公司" in page and "查询召回范围" in page
        page = client.get("/trace/recall", params={"product": "冷鲜猪肉", "batch": BATCH}).text
        assert 'id="held-total">1000<' in page and "北京乐食餐饮有限公司" in page
        assert client.get("/trace", params={"trace_code": "nope"}).status_code == 404


def test_control_characters_are_refused_before_any_query(world: World, tmp_path: Path) -> None:
    load_chain(world, catalog(), tmp_path)
    for field in ("product", "batch", "trace_code", "node"):
        asked = {"product": "冷鲜猪肉", "batch": BATCH} | {field: "x\x00y"}
        with pytest.raises(InvalidInput) as bad:
            _recall(world, **asked)
        assert bad.value.details["field"] == field
