"""A small world for industry credit evaluation: an evaluating organisation (a department of
kind evaluator), companies in the subject registry, list entries, and shortcuts through the
same service functions the CLI, the API and the pages call."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from gongxin.catalog.registry import load_catalog
from gongxin.market import certificate_status, evaluation_publicity, evaluation_round
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_round import Actor
from gongxin.market.evaluation_rules import rules
from gongxin.workflows import applications
from gongxin.workflows.applications import Filed, Filing
from gongxin.workflows.deadlines import jurisdiction
from tests.sanctions.helpers import World, open_world

ASSOCIATION = "中国测试行业协会"
START = date(2026, 7, 13)  # a Monday; 10 calendar days of 公示 end on 22 Jul


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)


@dataclass
class Rating:
    world: World
    evaluator: evaluators.Evaluator
    folder: Path

    @property
    def engine(self) -> Any:
        return self.world.engine

    @property
    def clerk(self) -> Actor:
        return Actor("user:clerk", self.evaluator.department_id)

    def round(self, *, year: int = 2026, days: int | None = None, kind: str | None = None) -> int:
        with self.engine.begin() as conn:
            return evaluation_round.create_round(
                conn, rules(), evaluator_id=self.evaluator.id, year=year,
                title=f"{year}年度行业信用评价", actor=self.clerk, now=noon(START),
                publicity_days=days, publicity_day_kind=kind,
            )  # fmt: skip

    def apply(self, round_id: int, n: int, grade: str | None = "AA") -> tuple[int, str]:
        """Company ``n`` applies (and is graded); its entry id and USCC."""
        _, code = self.world.subject(n, f"测试{n}建材有限公司")
        with self.engine.begin() as conn:
            entry = evaluation_round.apply(
                conn, round_id, company=f"测试{n}建材有限公司", code=code,
                materials=[{"name": "近三年财务报表", "note": "经审计"}], actor=self.clerk,
                now=noon(START),
            )  # fmt: skip
            if grade:
                evaluation_round.grade(
                    conn, rules(), entry, grade, actor=self.clerk, now=noon(START)
                )
        return entry, code

    def start(self, round_id: int, on: date = START) -> date:
        with self.engine.begin() as conn:
            return evaluation_publicity.start(
                conn, load_catalog(), round_id, actor=self.clerk, as_of=on, now=noon(on)
            )

    def publish(self, round_id: int, on: date) -> dict[str, int]:
        with self.engine.begin() as conn:
            return evaluation_publicity.publish(
                conn, load_catalog(), rules(), round_id, actor=self.clerk, as_of=on, now=noon(on)
            )

    def entry(self, entry_id: int) -> Any:
        with self.engine.connect() as conn:
            return evaluation_round.get_entry(conn, entry_id)

    def object(self, record_id: int, code: str, on: date) -> Filed:
        """Anyone (here a competitor) objects to a 公示 record through the objection workflow."""
        f = Filing("objection", record_id, "某竞争企业 王五", code, "13900000000",
                   "wangwu@example.org", "该企业上年度存在拖欠货款，评价等级偏高。")  # fmt: skip
        with self.engine.begin() as conn:
            return applications.file(
                conn, load_catalog(), f, [], rules=jurisdiction(), var_dir=self.folder / "var",
                max_bytes=100_000, max_count=3, as_of=on, now=noon(on),
            )  # fmt: skip

    def decide(self, app_id: int, outcome: str, on: date) -> None:
        with self.engine.begin() as conn:
            applications.decide(
                conn, load_catalog(), app_id, outcome, "经核实。", actor="user:clerk",
                department_id=self.evaluator.department_id, as_of=on, now=noon(on),
            )  # fmt: skip

    def sweep(self, on: date) -> int:
        with self.engine.begin() as conn:
            return certificate_status.sweep(conn, load_catalog(), rules(), as_of=on, now=noon(on))


def open_rating(db_url: str, folder: Path) -> Iterator[Rating]:
    for world in open_world(db_url):
        with world.engine.begin() as conn:
            org = evaluators.register(
                conn, ASSOCIATION, code="001", kind="association", now=noon(START)
            )
        yield Rating(world, org, folder)


@pytest.fixture
def rating(db_url: str, tmp_path: Path) -> Iterator[Rating]:
    yield from open_rating(db_url, tmp_path)
