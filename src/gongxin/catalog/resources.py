"""The 政务信息资源目录 (data resource catalog): one entry per dataset, browse, search, export.

An entry carries the core metadata of 发改高技〔2017〕1272号 / GB/T 21063 (domain
catalog_and_sharing.md §4): most of it is the spec's own (name, abstract = description, data
items = fields, share type, open attribute, update cycle); the rest is the spec's ``resource``
block. A spec without that block is listed as 未编目 with blanks. The CLI, the API and the
back-office pages all read entries through :func:`entries`, :func:`find` and :func:`get_entry`.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from gongxin.catalog.dictionary import requirement, type_name
from gongxin.catalog.model import DatasetSpec, ShareType
from gongxin.catalog.registry import Catalog
from gongxin.catalog.template import put
from gongxin.errors import InvalidInput, NotFound

RESOURCES_SHEET = "信息资源目录"
ITEMS_SHEET = "信息项"
UNCATALOGUED = "（未编目）"


@dataclass(frozen=True)
class DataItem:
    """信息项: one field of the dataset's current layout."""

    name: str  # 信息项名称
    code: str  # 字段代码
    data_type: str  # 数据类型 (字符, 日期, 枚举 …)
    required: str  # 是 / 否 / 条件：…


@dataclass(frozen=True)
class Entry:
    """One resource of the catalog with every core metadata element."""

    dataset: str  # the dataset code, e.g. penalty
    classification_code: str  # 分类码, e.g. 10400302
    classification: str  # 类 / 项 / 目 / 细目 names
    name: str  # 信息资源名称
    code: str  # 信息资源代码
    provider: str  # 信息资源提供方
    provider_code: str  # 信息资源提供方代码
    abstract: str  # 信息资源摘要
    format: str  # 信息资源格式
    items: tuple[DataItem, ...]  # 信息项信息
    share_type: ShareType  # 共享类型
    share_conditions: str  # 共享条件
    share_methods: tuple[str, ...]  # 共享方式
    share_basis: str  # 共享依据 (有条件 / 不予)
    open: bool  # 是否向社会开放
    open_conditions: str  # 开放条件
    update_cycle: str  # 更新周期
    published: date | None  # 发布日期
    related: tuple[str, ...]  # 关联资源代码
    secrecy: str  # 涉密属性
    publicity_scope: str  # 公开范围 (公共信用信息基础目录)
    legal_basis: str  # 认定依据

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data


# Every core metadata element: its Chinese header and how an entry gives its text.
ELEMENTS: tuple[tuple[str, str], ...] = (
    ("信息资源分类", "classification"),
    ("分类码", "classification_code"),
    ("信息资源名称", "name"),
    ("信息资源代码", "code"),
    ("信息资源提供方", "provider"),
    ("信息资源提供方代码", "provider_code"),
    ("信息资源摘要", "abstract"),
    ("信息资源格式", "format"),
    ("信息项信息", "items"),
    ("共享类型", "share_type"),
    ("共享条件", "share_conditions"),
    ("共享方式", "share_methods"),
    ("共享依据", "share_basis"),
    ("是否向社会开放", "open"),
    ("开放条件", "open_conditions"),
    ("更新周期", "update_cycle"),
    ("发布日期", "published"),
    ("关联资源代码", "related"),
    ("涉密属性", "secrecy"),
    ("数据集代码", "dataset"),
    ("公开范围", "publicity_scope"),
    ("认定依据", "legal_basis"),
)
ITEM_COLUMNS = (
    "信息资源代码",
    "信息资源名称",
    "序号",
    "信息项名称",
    "字段代码",
    "数据类型",
    "必填",
)


def entry(spec: DatasetSpec) -> Entry:
    """The catalog entry of one dataset spec."""
    items = tuple(
        DataItem(f.name, f.code, type_name(f), requirement(f, spec.fields)) for f in spec.fields
    )
    common: dict[str, Any] = {
        "dataset": spec.code,
        "name": spec.name,
        "abstract": spec.description,
        "items": items,
        "share_type": spec.share_type,
        "open": spec.open,
        "update_cycle": spec.update_cycle,
        "publicity_scope": spec.publicity_scope,
        "legal_basis": spec.legal_basis,
    }
    r = spec.resource
    if r is None:
        return Entry(
            classification_code="", classification=UNCATALOGUED, code="", provider="",
            provider_code="", format="", share_conditions="", share_methods=(),
            share_basis="", open_conditions="", published=None, related=(), secrecy="",
            **common,
        )  # fmt: skip
    return Entry(
        classification_code=r.classification.code,
        classification=r.classification.path,
        code=r.code,
        provider=r.provider.name,
        provider_code=r.provider.code or "",
        format=r.format,
        share_conditions=r.share_conditions,
        share_methods=tuple(r.share_methods),
        share_basis=r.share_basis or "",
        open_conditions=r.open_conditions or "",
        published=r.published,
        related=tuple(r.related),
        secrecy=r.secrecy,
        **common,
    )


def text(e: Entry, attr: str) -> str:
    """An element's value as one line of Chinese text (for tables and spreadsheets)."""
    value = getattr(e, attr)
    if attr == "items":
        return "；".join(f"{i.name}（{i.data_type}）" for i in e.items)
    if attr == "open":
        return "是" if value else "否"
    if isinstance(value, tuple):
        return "、".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def labelled(e: Entry) -> list[tuple[str, str]]:
    """Every element of an entry as (Chinese label, text), in the order of :data:`ELEMENTS`."""
    return [(label, text(e, attr)) for label, attr in ELEMENTS if attr != "items"]


def _norm(value: str) -> str:
    """Full-width to half-width, letter case folded: how a query and the metadata compare."""
    return unicodedata.normalize("NFKC", value).casefold().strip()


def _haystack(e: Entry) -> list[str]:
    """What a search looks in: names, codes, abstract, data item names and codes."""
    return [
        e.name, e.dataset, e.code, e.abstract, e.classification, e.provider,
        *(i.name for i in e.items), *(i.code for i in e.items),
    ]  # fmt: skip


def entries(
    catalog: Catalog,
    *,
    q: str | None = None,
    classification: str | None = None,
    share_type: str | None = None,
    open: bool | None = None,
    provider: str | None = None,
) -> list[Entry]:
    """The catalog's entries that pass every filter given, ordered by resource code.

    ``q``: a substring (Chinese or not; full-width and case do not matter) of the name, dataset
    or resource code, abstract, classification, provider, or a data item's name or code.
    ``classification``: a classification code prefix (``104006``) or a name in its path
    (``严重失信``). ``share_type``: 无条件 / 有条件 / 不予. ``provider``: the provider's name
    or code.
    """
    if share_type is not None and share_type not in ("无条件", "有条件", "不予"):
        raise InvalidInput(
            f"共享类型“{share_type}”无效，应为 无条件、有条件 或 不予",
            f"share type {share_type!r} is invalid: use 无条件, 有条件 or 不予",
            field="share_type",
            value=share_type,
        )
    needle = _norm(q) if q else ""
    found: list[Entry] = []
    for e in (entry(spec) for spec in catalog):
        if needle and not any(needle in _norm(h) for h in _haystack(e)):
            continue
        if classification and not (
            (e.classification_code and e.classification_code.startswith(classification))
            or _norm(classification) in _norm(e.classification)
        ):
            continue
        if share_type is not None and e.share_type != share_type:
            continue
        if open is not None and e.open is not open:
            continue
        if provider and provider not in (e.provider, e.provider_code):
            continue
        found.append(e)
    return sorted(found, key=lambda e: (e.code == "", e.code, e.dataset))


class UnknownResource(NotFound):
    code = "unknown_resource"

    def __init__(self, code: str, close: list[str]) -> None:
        hint = f"；相近的有：{'、'.join(close)}" if close else ""
        gloss = f"; close matches: {', '.join(close)}" if close else ""
        super().__init__(
            f"数据资源目录中没有“{code}”{hint}",
            f"{code!r} is not in the data resource catalog{gloss}",
            dataset=code,
            close_matches=close,
        )


def close_matches(catalog: Catalog, code: str, limit: int = 5) -> list[str]:
    """Dataset codes that look like ``code``: similar spelling, or containing it."""
    codes = catalog.codes()
    names = {spec.name: spec.code for spec in catalog}
    close = difflib.get_close_matches(code, codes, n=limit, cutoff=0.5)
    close += [names[n] for n in difflib.get_close_matches(code, list(names), n=limit, cutoff=0.5)]
    needle = _norm(code)
    if needle:
        close += [s.code for s in catalog if needle in _norm(s.code) or needle in _norm(s.name)]
    return list(dict.fromkeys(close))[:limit]


def find_spec(catalog: Catalog, code: str) -> DatasetSpec:
    """A spec by its dataset code (``penalty``) or resource code (``10400302/000001``)."""
    if code in catalog:
        return catalog.get(code)
    for spec in catalog:
        if spec.resource is not None and spec.resource.code == code:
            return spec
    raise UnknownResource(code, close_matches(catalog, code))


def get_entry(catalog: Catalog, code: str) -> Entry:
    """One entry by dataset or resource code; :class:`UnknownResource` (404) names close ones."""
    return entry(find_spec(catalog, code))


def related_names(catalog: Catalog, e: Entry) -> list[tuple[str, str, str]]:
    """The related resources as (resource code, dataset code, name)."""
    by_code = {s.resource.code: s for s in catalog if s.resource is not None}
    return [(c, by_code[c].code, by_code[c].name) for c in e.related if c in by_code]


def write_xlsx(found: list[Entry], out: Path) -> Path:
    """The catalog as a workbook: sheet 信息资源目录 (one row per resource, every element under
    its Chinese header) and sheet 信息项 (one row per data item). Every value is text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = RESOURCES_SHEET
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, (label, _attr) in enumerate(ELEMENTS, start=1):
        put(sheet, 1, column, label).font = bold
    for row, e in enumerate(found, start=2):
        for column, (_label, attr) in enumerate(ELEMENTS, start=1):
            put(sheet, row, column, text(e, attr)).alignment = wrap
    sheet.freeze_panes = "A2"
    items = book.create_sheet(ITEMS_SHEET)
    for column, label in enumerate(ITEM_COLUMNS, start=1):
        put(items, 1, column, label).font = bold
    row = 2
    for e in found:
        for index, item in enumerate(e.items, start=1):
            values = (e.code, e.name, str(index), item.name, item.code, item.data_type)
            for column, value in enumerate((*values, item.required), start=1):
                put(items, row, column, value)
            row += 1
    items.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
