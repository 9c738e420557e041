"""Demo trace chains (产品溯源): three batches — pork from a farm through a wholesale market to
shops and a canteen, infant formula through a distributor to supermarkets, a drug from its
maker through a distributor to a hospital and a pharmacy — among the demo's registered
subjects (one wholesaler chosen from a list, so a chain shows a node's bad credit), written as
a ``trace_record`` file into the demo folder and delivered through intake by the market
regulator. Runs once: a store that already holds trace records is left alone."""

from __future__ import annotations

import csv
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.db.models import records, subjects
from gongxin.intake.pipeline import Summary, ingest
from gongxin.sanctions import lists
from gongxin.sanctions.lists import applies_now

PROVIDER = "市市场监督管理局"
DATASET = "trace_record"
HEADERS = ["产品名称", "产品类别", "批次号", "追溯码", "节点类型", "节点名称",
           "节点统一社会信用代码", "上游节点名称", "上游节点统一社会信用代码", "日期", "数量",
           "计量单位"]  # fmt: skip
# (product, category, batch, unit, links): a link is (node slot, node type, upstream slot or
# None, days before today, quantity); slot 1 of the first batch is the listed wholesaler
BATCHES = [
    ("冷鲜猪肉", "食用农产品", "ZR{y}1101", "千克", [
        (0, "生产者", None, 20, 2000), (1, "批发商", 0, 19, 2000), (2, "零售商", 1, 18, 400),
        (3, "零售商", 1, 18, 600), (4, "零售商", 1, 17, 500), (5, "餐饮服务", 3, 16, 120),
    ]),
    ("婴幼儿配方乳粉（900克罐装）", "食品", "NF{y}0815A", "罐", [
        (6, "生产者", None, 40, 5000), (7, "批发商", 6, 35, 3000), (8, "零售商", 7, 30, 1200),
        (9, "零售商", 7, 30, 800), (10, "零售商", 6, 33, 1000),
    ]),
    ("阿莫西林胶囊（0.25克×24粒）", "药品", "YP{y}0310", "盒", [
        (11, "生产者", None, 60, 10000), (12, "批发商", 11, 55, 6000),
        (13, "医疗机构", 12, 50, 2500), (14, "零售商", 12, 48, 1500),
    ]),
]  # fmt: skip


def _nodes(conn: sa.Connection, catalog: Catalog, n: int, today: date) -> list[tuple[str, str]]:
    """(USCC, name) of ``n`` registered companies; a subject on a punishing list first."""
    listed = conn.execute(
        sa.select(subjects.c.uscc, subjects.c.name)
        .join(records, records.c.subject_id == subjects.c.id)
        .where(applies_now(lists.get(catalog, "serious_dishonest_list"), today),
               subjects.c.uscc.like("91%"))
        .order_by(subjects.c.id).limit(1)
    ).all()  # fmt: skip
    others = conn.execute(
        sa.select(subjects.c.uscc, subjects.c.name)
        .where(subjects.c.uscc.like("91%"))
        .order_by(subjects.c.id).limit(n + 1)
    ).all()  # fmt: skip
    found = [(str(c), str(m)) for c, m in [*listed, *others]]
    unique = list(dict.fromkeys(found))
    if len(unique) < n:
        return []
    picked = unique[:n]
    if listed:  # the listed one is the pork wholesaler (slot 1)
        picked[0], picked[1] = picked[1], picked[0]
    return picked


def rows(nodes: list[tuple[str, str]], today: date) -> list[list[str]]:
    out = []
    for product, category, batch, unit, links in BATCHES:
        lot = batch.format(y=today.year)
        code = f"110108{today.year}{zlib.crc32(lot.encode()) % 10**10:010d}"
        for slot, kind, up, back, qty in links:
            node, name = nodes[slot]
            up_code, up_name = nodes[up] if up is not None else ("", "")
            day = today - timedelta(days=back)
            out.append([product, category, lot, code, kind, name, node, up_name, up_code,
                        day.strftime("%Y/%m/%d"), str(qty), unit])  # fmt: skip
    return out


def run(engine: sa.Engine, catalog: Catalog, folder: Path, *, now: datetime) -> Summary | None:
    """Write and ingest the demo chains; None when the store holds trace records already."""
    if DATASET not in catalog:
        return None
    with engine.connect() as conn:
        held = conn.execute(
            sa.select(sa.func.count()).select_from(records).where(records.c.dataset == DATASET)
        ).scalar_one()
        nodes = [] if held else _nodes(conn, catalog, 15, local_date(now))
    if not nodes:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "90_trace_record.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(rows(nodes, local_date(now)))
    return ingest(engine, catalog, path, dataset=DATASET, provider=PROVIDER, as_of=now)
