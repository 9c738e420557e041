"""List types (名单类型) and their entries.

A list type is a catalog dataset whose visibility kind is ``listing`` (its kind — punish or
reward — comes from ``data/list_types.yaml``), or a type derived from another dataset's records
(``commitment_breach``: commitments whose 履约状态 is 未履约). An entry is one record of it.

Whether an entry applies on a date is the visibility gate's listing window: listed on or before
the date, not removed on or before it, not past its planned end. Removal is a field of the
record (实际移出日期), reported by the listing authority; nothing is deleted. The gate's
decision is stored with each record (records/decisions.py): lists filter and page in SQL
(:func:`applies_now`, :func:`public_entries`); :func:`applies` asks the live gate for one record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal

import sqlalchemy as sa
import yaml

from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog
from gongxin.clock import CHINA_TZ, local_date
from gongxin.db.models import records
from gongxin.errors import InvalidInput, NotFound
from gongxin.records import decisions, gate
from gongxin.records.gate import Audience

Kind = Literal["punish", "reward"]
KIND_NAMES = {"punish": "惩戒", "reward": "激励"}
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ListType:
    code: str
    name: str
    name_en: str
    kind: Kind
    dataset: str  # the catalog dataset its entries are records of
    spec: DatasetSpec
    fields: dict[str, str]  # role (name, uscc, listed …) → field code
    where: dict[str, str] = field(default_factory=dict)  # derived: field → required value

    @property
    def derived(self) -> bool:
        return bool(self.where)

    def selects(self, data: dict[str, Any]) -> bool:
        return all(data.get(k) == v for k, v in self.where.items())

    def value(self, data: dict[str, Any], role: str) -> Any:
        code = self.fields.get(role)
        return data.get(code) if code else None


@cache
def _config() -> dict[str, Any]:
    root = resources.files("gongxin.sanctions").joinpath("data/list_types.yaml")
    loaded: dict[str, Any] = yaml.safe_load(root.read_text("utf-8"))
    return loaded


def _build(catalog: Catalog) -> dict[str, ListType]:
    config = _config()
    found: dict[str, ListType] = {}
    for spec in catalog:
        if spec.visibility.kind != "listing":
            continue
        kind = config["kinds"].get(spec.code, config["default_kind"])
        fields = {r: c for r, c in config["fields"].items() if c in {f.code for f in spec.fields}}
        found[spec.code] = ListType(
            spec.code, spec.name, spec.name_en, kind, spec.code, spec, fields
        )  # fmt: skip
    for code, d in config.get("derived", {}).items():
        if d["dataset"] in catalog:
            spec = catalog.get(d["dataset"])
            found[code] = ListType(
                code, d["name"], d["name_en"], d["kind"], spec.code, spec, d["fields"], d["where"]
            )
    return found


_built: dict[int, tuple[Catalog, dict[str, ListType]]] = {}


def list_types(catalog: Catalog) -> dict[str, ListType]:
    """Every list type of this catalog, by code (built once per catalog)."""
    hit = _built.get(id(catalog))
    if hit is None or hit[0] is not catalog:
        hit = (catalog, _build(catalog))
        _built[id(catalog)] = hit
    return hit[1]


def get(catalog: Catalog, code: str) -> ListType:
    types = list_types(catalog)
    if code not in types:
        raise NotFound(
            f"未知的名单类型：{code[:64]}；可用的名单：{'、'.join(types)}",
            f"unknown list type {code[:64]!r}; known: {', '.join(types)}",
            known=list(types),
        )
    return types[code]


# -- entries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One subject on one list, as the check reports it."""

    list_type: str
    list_name: str
    kind: str
    record_id: int
    name: str | None
    code: str | None
    authority: str | None
    basis: str | None
    reason: str | None
    doc_no: str | None
    listed_on: str | None
    planned_removal: str | None
    removed_on: str | None
    removal_reason: str | None
    objection: str | None = None  # 异议处理中 while an objection against the entry is pending

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def entry_of(lt: ListType, record_id: int, data: dict[str, Any], changed: datetime) -> Entry:
    listed = lt.value(data, "listed") or (local_date(changed).isoformat() if lt.derived else None)
    code = lt.value(data, "uscc") or lt.value(data, "reg_no") or lt.value(data, "org_code")
    return Entry(
        lt.code, lt.name, lt.kind, record_id, _text(lt.value(data, "name")), _text(code),
        _text(lt.value(data, "authority")), _text(lt.value(data, "basis")),
        _text(lt.value(data, "reason")), _text(lt.value(data, "doc_no")), _text(listed),
        _text(lt.value(data, "planned_removal")), _text(lt.value(data, "removed")),
        _text(lt.value(data, "removal_reason")),
        gate.OBJECTION_MARK if data.get(gate.STATUS_KEY) == "objection" else None,
    )  # fmt: skip


def applies(lt: ListType, data: dict[str, Any], changed: datetime, as_of: date) -> bool:
    """Whether this record puts its subject on the list on ``as_of``, as a department sees it:
    shared with departments (not withdrawn) and in force (within its listing window), as the
    live gate decides it; :func:`applies_now` is the same, in SQL on the stored decision."""
    if not lt.selects(data):
        return False
    if not gate.decide(lt.spec, data, Audience.DEPARTMENT, as_of).visible:
        return False
    if lt.derived:  # from the day the record was last changed
        return local_date(changed) <= as_of
    return gate.in_force(lt.spec, data, as_of).visible


def _day_ends(as_of: date) -> datetime:
    """The first moment after ``as_of`` in China, for comparing stored timestamps."""
    return datetime.combine(as_of + timedelta(days=1), time(0), CHINA_TZ).astimezone(UTC)


def _selects(lt: ListType) -> list[sa.ColumnElement[bool]]:
    return [records.c.data[k].as_string() == v for k, v in lt.where.items()]


def applies_now(lt: ListType, as_of: date) -> sa.ColumnElement[bool]:
    """:func:`applies` in SQL, on the decision stored with each record."""
    if lt.derived:
        return sa.and_(
            records.c.dataset == lt.dataset,
            decisions.shared_now(),
            records.c.updated_at < _day_ends(as_of),
            *_selects(lt),
        )
    return sa.and_(
        records.c.dataset == lt.dataset, decisions.shared_now(), decisions.in_force_now(as_of)
    )


@dataclass(frozen=True)
class PublicPage:
    list_type: ListType
    page: int
    size: int
    entries: list[dict[str, Any]]  # masked record data, with "id"
    more: bool


def public_entries(
    conn: sa.Connection, lt: ListType, *, as_of: date, page: int = 1, size: int = 20
) -> PublicPage:
    """The entries the public may see on ``as_of``, newest listing first, masked by the gate;
    filtered and paged in SQL on the stored decision (index ``ix_records_public_list``)."""
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"页码须从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条",
            f"page starts at 1; size must be 1 to {MAX_PAGE_SIZE}",
        )
    query = (
        sa.select(records.c.id, records.c.data)
        .where(records.c.dataset == lt.dataset, decisions.public_now(as_of), *_selects(lt))
        .order_by(records.c.event_date.desc(), records.c.id.desc())
        .offset((page - 1) * size)
        .limit(size + 1)
    )
    if lt.derived:
        query = query.where(records.c.updated_at < _day_ends(as_of))
    rows = conn.execute(query).fetchall()
    shown = [
        {"id": rid, **gate.masked(lt.spec, data, Audience.PUBLIC), "mark": gate.mark(data)}
        for rid, data in rows
    ]
    return PublicPage(lt, page, size, shown[:size], len(shown) > size)
