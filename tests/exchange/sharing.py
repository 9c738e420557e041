"""Shared setup of the sharing tests: a catalog where penalties are 有条件共享 and tax violations
不予共享, a provider (assigned to penalties by the centre), a user department, the credit centre,
another provider department, penalties stored through intake."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
import yaml

from gongxin.catalog import providers
from gongxin.catalog.registry import Catalog, load_catalog
from gongxin.exchange.exchange_view import Caller
from gongxin.identity import departments
from gongxin.identity.departments import Department
from tests.intake.helpers import AS_OF, PENALTY_COLUMNS, PROVIDER, Store, open_store, penalty_row

USER = "市财政局"
CENTRE = "市信用中心"
OTHER = "市税务局"
TODAY = date(2026, 11, 22)
COLUMNS = [*PENALTY_COLUMNS, "CF_ZT"]
ASKED = ["CF_XDR_MC", "CF_WSH", "CF_JDRQ", "CF_ZT"]


BASIS = "《政务信息资源共享管理暂行办法》（国发〔2016〕51号）第九条（测试用依据）"


def write_override(folder: Path) -> Path:
    """Spec overrides: penalty 有条件共享, tax_violation 不予共享 (each citing a basis)."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = resources.files("gongxin.catalog").joinpath("specs")
    for name, share in (("penalty", "有条件"), ("tax_violation", "不予")):
        spec = yaml.safe_load(specs.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))
        spec["share_type"] = share
        if spec.get("resource"):
            spec["resource"]["share_basis"] = BASIS
            spec["resource"]["share_conditions"] = "经提供部门同意后，按申请的用途、字段和期限使用"
        text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


@dataclass
class World:
    store: Store
    catalog: Catalog
    provider: Department
    user: Department
    centre: Department
    other: Department

    @property
    def engine(self) -> sa.Engine:
        return self.store.engine

    def caller(self, dept: Department) -> Caller:
        return Caller(dept, f"key:{dept.id:08d}")

    def penalties(self, name: str, *rows: dict[str, str]) -> None:
        self.store.ingest(self.store.penalties(name, list(rows), columns=COLUMNS))


def open_world(db_url: str, folder: Path) -> Iterator[World]:
    for store in open_store(db_url, folder):
        with store.engine.begin() as conn:
            user = departments.add(conn, USER, kind="user", code=None, now=AS_OF)
            centre = departments.add(conn, CENTRE, kind="centre", code=None, now=AS_OF)
            other = departments.add(conn, OTHER, kind="provider", code=None, now=AS_OF)
            provider = departments.get(conn, PROVIDER)
        catalog = load_catalog(write_override(folder / "specs"))
        with store.engine.begin() as conn:  # the credit centre names the penalty's provider
            providers.assign(conn, catalog, "penalty", PROVIDER, now=AS_OF)
        yield World(store, catalog, provider, user, centre, other)


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=AS_OF.tzinfo)


def row(n: int, **values: str) -> dict[str, str]:
    return penalty_row(n, CF_JDRQ="2026-11-02", **values)
