"""A small world for the sanctions tests: subjects, list entries written straight into the
record store (as intake would store them), a user department with a check key."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
import yaml

from gongxin.db.engine import make_engine
from gongxin.db.models import departments as departments_table
from gongxin.db.models import records, subjects
from gongxin.identity import departments, keys
from gongxin.records.decisions import decision_columns
from gongxin.sanctions import check, scenes
from gongxin.subjects.names import normalise_name
from tests.intake.helpers import AS_OF, catalog, make_uscc, prepare

CHECKER = "市财政局"
TODAY = date(2026, 11, 22)
_serial = itertools.count(1)


@dataclass
class World:
    engine: sa.Engine
    key: str
    department_id: int

    def subject(self, n: int, name: str | None = None) -> tuple[int, str]:
        code = make_uscc(n)
        name = name or f"测试{n}科技有限公司"
        with self.engine.begin() as conn:
            sid = conn.execute(
                subjects.insert().values(
                    uscc=code, name=name, name_norm=normalise_name(name), created_at=AS_OF,
                    updated_at=AS_OF,
                ).returning(subjects.c.id)
            ).scalar_one()  # fmt: skip
        return int(sid), code

    def entry(
        self,
        dataset: str,
        code: str,
        *,
        subject_id: int | None = None,
        name: str = "测试主体",
        listed: str = "2025-01-10",
        planned: str | None = None,
        removed: str | None = None,
        changed: datetime = AS_OF,
        **extra: Any,
    ) -> int:
        if dataset == "commitment":
            data = {"CN_ZTMC": name, "CN_ZTLB": "法人及非法人组织", "CN_TYSHXYDM": code,
                    "CN_SLBM": "市市场监督管理局", "CN_SX": "食品经营许可", "CN_LYZT": "未履约",
                    "CN_WYQK": "未按承诺补交材料", "CN_CNRQ": listed}  # fmt: skip
        else:
            data = {"MD_ZTMC": name, "MD_ZTLB": "法人及非法人组织", "MD_TYSHXYDM": code,
                    "MD_RDJG": "某认定机关", "MD_RDYJ": "某依据", "MD_LRYY": "某事由",
                    "MD_LRRQ": listed}  # fmt: skip
            if planned:
                data["MD_JHYCRQ"] = planned
            if removed:
                data["MD_SJYCRQ"] = removed
                data["MD_YCYY"] = "信用修复"
        data.update(extra)
        n = next(_serial)
        with self.engine.begin() as conn:
            rid = conn.execute(
                records.insert().values(
                    dataset=dataset, dedupe_key=hashlib.md5(f"{n}".encode()).hexdigest(),
                    content_hash="0" * 32, version=1, subject_id=subject_id, link_kind="uscc",
                    link_code=code, subject_name=name, event_date=date.fromisoformat(listed),
                    submission_id="test", row_no=n, data=data, created_at=changed,
                    updated_at=changed,
                    department_id=sa.select(departments_table.c.id)
                    .where(departments_table.c.name == "市市场监督管理局")
                    .scalar_subquery(),
                    **decision_columns(catalog().get(dataset), data),
                ).returning(records.c.id)
            ).scalar_one()  # fmt: skip
        return int(rid)

    def check(self, subjects_: list[Any], scene: str = "政府采购", as_of: date = TODAY) -> Any:
        req = check.Request(subjects_, scene, "张经办", "供应商资格审查", as_of)
        with self.engine.begin() as conn:
            return check.run(
                conn, catalog(), req, now=AS_OF, actor="key:test", department_id=self.department_id
            )


def open_world(db_url: str) -> Iterator[World]:
    engine = make_engine(db_url)
    try:
        prepare(engine, ("市市场监督管理局", "provider"), (CHECKER, "user"))
        with engine.begin() as conn:
            key = keys.create(conn, CHECKER, now=AS_OF, scopes=["check"]).key
            dept = departments.get(conn, CHECKER)
        yield World(engine, key, dept.id)
    finally:
        engine.dispose()


@cache
def packaged_memoranda() -> list[dict[str, Any]]:
    """The starter memoranda as the YAML file says, read without gongxin.sanctions.memoranda."""
    text = resources.files("gongxin.sanctions").joinpath("data/memoranda.yaml").read_text()
    memos: list[dict[str, Any]] = yaml.safe_load(text)["memoranda"]
    return memos


def expected_measures(list_type: str, kind: str, scene: str) -> set[str]:
    """Ids of the measures the file's memoranda covering ``list_type`` give in ``scene``."""
    code = scenes.resolve(scene).code
    return {
        f"{m['id']}-{n}"
        for m in packaged_memoranda()
        if list_type in m["list_types"]
        for n, x in enumerate(m["measures"], 1)
        if x["kind"] == kind and code in {scenes.resolve(s).code for s in x["scenes"]}
    }


NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
