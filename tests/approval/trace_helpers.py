"""A small trace world: a batch of pork going producer → wholesaler → two retailers → a
restaurant, delivered through intake as a trace_record file, beside the sanctions tests' store
(subjects, list entries)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from gongxin.catalog.registry import Catalog
from gongxin.intake.pipeline import Summary, ingest
from tests.intake.helpers import AS_OF, make_uscc, write_csv
from tests.sanctions.helpers import World

HEADERS = ["产品名称", "产品类别", "批次号", "追溯码", "节点类型", "节点名称",
           "节点统一社会信用代码", "上游节点名称", "上游节点统一社会信用代码", "日期", "数量",
           "计量单位"]  # fmt: skip
AS_OF_DATE = date(2026, 11, 22)
PRODUCER, WHOLESALER, SHOP, MARKET, CANTEEN = (make_uscc(n) for n in (21, 22, 23, 24, 25))
NAMES = {PRODUCER: "北京绿野养殖有限公司", WHOLESALER: "北京新发地肉类批发有限公司",
         SHOP: "北京社区鲜肉店有限公司", MARKET: "北京好邻居超市有限公司",
         CANTEEN: "北京乐食餐饮有限公司"}  # fmt: skip
KINDS = {PRODUCER: "生产者", WHOLESALER: "批发商", SHOP: "零售商", MARKET: "零售商",
         CANTEEN: "餐饮服务"}  # fmt: skip
BATCH = "ZR20261101"
CODE = "11010820261101000001"


def row(node: str, up: str | None, qty: str, on: str, batch: str = BATCH, **over: str) -> list[str]:
    values = {"产品名称": "冷鲜猪肉", "产品类别": "食用农产品", "批次号": batch,
              "追溯码": CODE if batch == BATCH else "11010820261101000002",
              "节点类型": KINDS.get(node, "零售商"),
              "节点名称": NAMES.get(node, "北京某商店有限公司"),
              "节点统一社会信用代码": node, "上游节点名称": NAMES.get(up or "", ""),
              "上游节点统一社会信用代码": up or "", "日期": on, "数量": qty,
              "计量单位": "千克"} | over  # fmt: skip
    return [values[h] for h in HEADERS]


CHAIN = [
    row(PRODUCER, None, "1000", "2026/11/01"),
    row(WHOLESALER, PRODUCER, "1000", "2026/11/02"),
    row(SHOP, WHOLESALER, "300", "2026/11/03"),
    row(MARKET, WHOLESALER, "500", "2026/11/03"),
    row(CANTEEN, MARKET, "100", "2026/11/04"),
    row(PRODUCER, None, "50", "2026/11/01", batch="ZR20261102"),  # another batch
]


NUMBERS = {make_uscc(n): n for n in range(21, 26)}
IDS: dict[str, int] = {}  # USCC → subject id, of the store last loaded


def load_chain(
    world: World, catalog: Catalog, folder: Path, extra: Sequence[list[str]] = ()
) -> Summary:
    """Register the five nodes as subjects and deliver the chain through intake."""
    for code, name in NAMES.items():
        IDS[code] = world.subject(NUMBERS[code], name)[0]
    path = write_csv(folder / "trace.csv", HEADERS, [*CHAIN, *extra])
    return ingest(world.engine, catalog, path, dataset="trace_record",
                  provider="市市场监督管理局", as_of=AS_OF)  # fmt: skip
