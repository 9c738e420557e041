"""Shared helpers of the intake, subjects, web and CLI tests: a migrated store with one provider
department, valid identifiers, penalty and registration rows, file writers and store queries.

Test modules wrap :func:`open_store` in a small fixture of their own::

    @pytest.fixture
    def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
        yield from open_store(db_url, tmp_path)
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.catalog import providers
from gongxin.catalog.registry import Catalog, load_catalog
from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.models import record_history, records, rejects, subjects, submissions
from gongxin.identity import authorities, departments
from gongxin.ids import orgcode, regno, uscc
from gongxin.intake.pipeline import Summary, ingest

AS_OF = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
PROVIDER = "市市场监督管理局"
TABLES = {
    "submissions": submissions,
    "records": records,
    "rejects": rejects,
    "record_history": record_history,
    "subjects": subjects,
}

# -- identifiers ---------------------------------------------------------------------------


def make_org_code(n: int) -> str:
    body = f"{n:08d}"
    return body + orgcode.calc_check_digit(body)


def make_uscc(n: int, prefix: str = "91110108") -> str:
    """A valid USCC whose embedded organisation code is valid too (no warnings)."""
    body = prefix + make_org_code(n)
    return body + uscc.calc_check_digit(body)


def make_regno(n: int, prefix: str = "110108") -> str:
    body = f"{prefix}{n:08d}"
    return body + regno.calc_check_digit(body)


def wrong_check(code: str) -> str:
    """``code`` with a different, wrong check character."""
    last = "1" if code[-1] != "1" else "2"
    return code[:-1] + last


AUTHORITY = "北京市海淀区市场监督管理局"
AUTHORITY_USCC = make_uscc(11_000_001, prefix="11110108")

# -- penalty rows --------------------------------------------------------------------------

PENALTY = {
    "CF_XDR_MC": "行政相对人名称",
    "CF_XDR_LB": "行政相对人类别",
    "CF_XDR_SHXYM": "行政相对人代码_1（统一社会信用代码）",
    "CF_XDR_GSZC": "行政相对人代码_2（工商注册号）",
    "CF_XDR_ZZJG": "行政相对人代码_3（组织机构代码）",
    "CF_XDR_ZJLX": "证件类型",
    "CF_XDR_ZJHM": "证件号码",
    "CF_FRDB": "法定代表人",
    "CF_WSH": "行政处罚决定书文号",
    "CF_WFXW": "违法行为类型",
    "CF_SY": "违法事实",
    "CF_YJ": "处罚依据",
    "CF_CFLB": "处罚类别",
    "CF_NR": "处罚内容",
    "CF_NR_FK": "罚款金额（万元）",
    "CF_JDRQ": "处罚决定日期",
    "CF_YXQ": "处罚有效期",
    "CF_CFJG": "处罚机关",
    "CF_CFJGDM": "处罚机关统一社会信用代码",
    "CF_SJLY": "数据来源单位",
    "CF_SJLYDM": "数据来源单位统一社会信用代码",
    "BZ": "备注",
    "CF_ZT": "当前状态",
    "CF_YZCD": "失信严重程度",
    "CF_SSLY": "所属领域",
}
# The columns a generated penalty file has unless a test asks for others: no secondary codes,
# and not the platform's status column.
SECONDARY = (
    "CF_XDR_GSZC",
    "CF_XDR_ZZJG",
    "CF_XDR_ZJLX",
    "CF_XDR_ZJHM",
    "CF_ZT",
    "CF_YZCD",
    "CF_SSLY",
)
PENALTY_COLUMNS = [c for c in PENALTY if c not in SECONDARY]


def penalty_row(n: int, **values: str) -> dict[str, str]:
    """A valid penalty of a legal person, by field code; ``values`` override fields."""
    row = {
        "CF_XDR_MC": f"北京测试{n}商贸有限公司",
        "CF_XDR_LB": "法人及非法人组织",
        "CF_XDR_SHXYM": make_uscc(n),
        "CF_FRDB": "张三",
        "CF_WSH": f"京海市监罚〔2024〕{n}号",
        "CF_WFXW": "发布虚假广告",
        "CF_SY": "当事人在其网店发布含有虚假内容的广告。",
        "CF_YJ": "《中华人民共和国广告法》第五十五条第一款",
        "CF_CFLB": "警告;罚款",
        "CF_NR": "警告，罚款人民币壹万元整",
        "CF_NR_FK": "1",
        "CF_JDRQ": "2024/01/05",
        "CF_YXQ": "2099/12/31",
        "CF_CFJG": AUTHORITY,
        "CF_CFJGDM": AUTHORITY_USCC,
        "CF_SJLY": AUTHORITY,
        "CF_SJLYDM": AUTHORITY_USCC,
        "BZ": "",
    }
    row.update(values)
    return row


def penalty_table(
    rows: Iterable[Mapping[str, str]], columns: Sequence[str] | None = None
) -> tuple[list[str], list[list[str]]]:
    """Headers (Chinese names) and values of penalty rows given by field code."""
    codes = list(columns or PENALTY_COLUMNS)
    return [PENALTY[c] for c in codes], [[r.get(c, "") for c in codes] for r in rows]


# -- registration rows ---------------------------------------------------------------------

REGISTRATION = [
    "企业名称",
    "统一社会信用代码",
    "注册日期",
    "企业类型",
    "法人代表",
    "注册资金",
    "经营范围",
    "所在省份",
    "地区",
    "注册地址",
]


def registration_row(n: int, **values: str) -> dict[str, str]:
    """A valid registration row by header; ``values`` override columns."""
    row = {
        "企业名称": f"北京测试{n}商贸有限公司",
        "统一社会信用代码": make_uscc(n),
        "注册日期": "2015-03-02",
        "企业类型": "有限责任公司(自然人投资或控股)",
        "法人代表": "李四",
        "注册资金": "2,000(万元人民币)",
        "经营范围": "销售日用品。",
        "所在省份": "北京",
        "地区": "海淀",
        "注册地址": "北京市海淀区中关村大街1号",
    }
    row.update(values)
    return row


# -- files ---------------------------------------------------------------------------------


def write_csv(
    path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_penalties(
    path: Path,
    rows: Iterable[Mapping[str, str]],
    columns: Sequence[str] | None = None,
    encoding: str = "utf-8",
) -> Path:
    headers, values = penalty_table(rows, columns)
    return write_csv(path, headers, values, encoding)


def write_registrations(path: Path, rows: Iterable[Mapping[str, str]]) -> Path:
    return write_csv(path, REGISTRATION, ([r.get(h, "") for h in REGISTRATION] for r in rows))


def write_xlsx(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


# -- the store -----------------------------------------------------------------------------


@functools.cache
def catalog() -> Catalog:
    return load_catalog()


@dataclass
class Reject:
    row_no: int
    raw: dict[str, Any]
    errors: list[dict[str, str]]

    @property
    def fields(self) -> set[str]:
        return {e["field"] for e in self.errors}

    @property
    def rules(self) -> set[str]:
        return {e["rule"] for e in self.errors}


@dataclass
class Store:
    engine: sa.Engine
    folder: Path

    def ingest(self, path: Path, dataset: str = "penalty", **kwargs: Any) -> Summary:
        kwargs.setdefault("provider", PROVIDER)
        kwargs.setdefault("as_of", AS_OF)
        return ingest(self.engine, catalog(), path, dataset=dataset, **kwargs)

    def penalties(self, name: str, rows: Iterable[Mapping[str, str]], **kwargs: Any) -> Path:
        return write_penalties(self.folder / name, rows, **kwargs)

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            query = sa.select(sa.func.count()).select_from(TABLES[table])
            return int(conn.execute(query).scalar_one())

    def counts(self) -> dict[str, int]:
        return {name: self.count(name) for name in TABLES}

    def rejects(self, submission_id: str) -> list[Reject]:
        query = (
            sa.select(rejects.c.row_no, rejects.c.raw, rejects.c.errors)
            .where(rejects.c.submission_id == submission_id)
            .order_by(rejects.c.row_no)
        )
        with self.engine.connect() as conn:
            # raw is stored as [header, value] pairs in file order; look values up by header
            return [Reject(n, dict(raw), errors) for n, raw, errors in conn.execute(query)]

    def records(self, dataset: str = "penalty") -> list[dict[str, Any]]:
        query = sa.select(records).where(records.c.dataset == dataset).order_by(records.c.row_no)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def record(self, **where: Any) -> dict[str, Any]:
        query = sa.select(records).where(*(records.c[k] == v for k, v in where.items()))
        with self.engine.connect() as conn:
            return dict(conn.execute(query).one()._mapping)

    def history(self, record_id: int) -> list[dict[str, Any]]:
        query = (
            sa.select(record_history)
            .where(record_history.c.record_id == record_id)
            .order_by(record_history.c.version)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def subject(self, **where: Any) -> dict[str, Any]:
        query = sa.select(subjects).where(*(subjects.c[k] == v for k, v in where.items()))
        with self.engine.connect() as conn:
            return dict(conn.execute(query).one()._mapping)


# The authorities the test files name (处罚机关 …): every submitting test department may file
# for them, as the credit centre would let a city bureau file for its district bureaus.
TEST_AUTHORITIES = [
    AUTHORITY,
    "北京市海淀区工商行政管理局",
    "北京市生态环境局",
    "市生态环境局",
    "某认定机关",
]


def prepare(engine: sa.Engine, *departments_: tuple[str, str]) -> None:
    """Migrate and register departments given as (name, kind); the provider when none.

    Each submitting department may file for :data:`TEST_AUTHORITIES`; the first one (the
    provider by default) is the assigned provider, and so the writer, of the register.
    """
    migrate.upgrade(engine)
    with engine.begin() as conn:
        writers = []
        for name, kind in departments_ or ((PROVIDER, "provider"),):
            departments.add(conn, name, kind=kind, code=None, now=AS_OF)
            if kind != "user":
                authorities.add(conn, name, TEST_AUTHORITIES, now=AS_OF)
                writers.append(name)
        if writers:
            providers.assign(conn, catalog(), "registration", writers[0], now=AS_OF)


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    """A migrated database (each backend in turn) with the provider department, and a folder."""
    yield from open_store(db_url, tmp_path)


def open_store(db_url: str, folder: Path) -> Iterator[Store]:
    engine = make_engine(db_url)
    try:
        prepare(engine)
        yield Store(engine, folder)
    finally:
        engine.dispose()


def assert_reconciles(summary: Summary) -> None:
    total = summary.accepted + summary.updated + summary.duplicates + summary.rejected
    assert total == summary.rows, summary


def by_row(items: Iterable[Reject]) -> dict[int, Reject]:
    return {r.row_no: r for r in items}
