"""Mapping a file's header row onto a dataset's fields, and choosing its layout.

Headers match a field by its standard Chinese name, its field code or an alias, in any order,
ignoring surrounding and inner whitespace, letter case of codes and full-width/half-width forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gongxin.catalog.model import DatasetSpec, FieldSpec
from gongxin.catalog.registry import Catalog
from gongxin.errors import WrongDataset
from gongxin.intake.values import normalise_label


def header_key(header: str) -> str:
    """The comparable form of a header: NFKC, no whitespace, upper-case ASCII letters."""
    return normalise_label(header).upper()


@dataclass
class HeaderMap:
    """Which column feeds which field, for one layout of one dataset."""

    spec: DatasetSpec
    layout: str
    fields: list[FieldSpec]
    columns: dict[str, int]  # field code -> column index
    unknown: list[str] = field(default_factory=list)  # headers that matched no field
    repeated: list[str] = field(default_factory=list)  # a second column for an already-mapped field
    missing_required: list[FieldSpec] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return len(self.columns)


def _index(fields: list[FieldSpec]) -> dict[str, FieldSpec]:
    index: dict[str, FieldSpec] = {}
    for f in fields:
        for name in f.headers:
            index.setdefault(header_key(name), f)
    return index


def map_headers(spec: DatasetSpec, headers: list[str]) -> HeaderMap:
    """The best layout of ``spec`` for these headers (the current layout wins ties)."""
    best: HeaderMap | None = None
    for layout, fields in spec.layouts():
        index = _index(fields)
        hmap = HeaderMap(spec=spec, layout=layout, fields=fields, columns={})
        for col, header in enumerate(headers):
            f = index.get(header_key(header))
            if f is None:
                if header.strip():
                    hmap.unknown.append(header)
            elif f.code in hmap.columns:
                hmap.repeated.append(header)
            else:
                hmap.columns[f.code] = col
        hmap.missing_required = [f for f in fields if f.required and f.code not in hmap.columns]
        if best is None or hmap.matched > best.matched:
            best = hmap
    assert best is not None
    return best


def _looks_like(catalog: Catalog, headers: list[str], exclude: str) -> str | None:
    scores = [
        (map_headers(spec, headers).matched, spec.code)
        for spec in catalog.specs()
        if spec.code != exclude
    ]
    score, code = max(scores, default=(0, ""))
    return code if score >= 2 else None


def resolve(catalog: Catalog, spec: DatasetSpec, headers: list[str]) -> HeaderMap:
    """Map the headers, or refuse a file that does not belong to ``spec``.

    A file is refused when it lacks a required column, or when another dataset fits its
    header better: storing it would reject every row or, worse, misfile the data.
    """
    hmap = map_headers(spec, headers)
    other = _looks_like(catalog, headers, spec.code)
    other_hmap = map_headers(catalog.get(other), headers) if other else None
    if hmap.matched == 0 or (other_hmap and other_hmap.matched > hmap.matched):
        hint_zh = f"；它更像是“{catalog.get(other).name}”（{other}）的文件" if other else ""
        hint_en = f"; it looks like a {other} file" if other else ""
        raise WrongDataset(
            f"文件的列与数据集“{spec.name}”（{spec.code}）不符{hint_zh}，未导入任何数据",
            f"the file's columns do not match dataset {spec.code}{hint_en}; nothing was stored",
            dataset=spec.code,
            looks_like=other,
            headers=headers[:50],
        )
    if hmap.missing_required:
        names = "、".join(f.name for f in hmap.missing_required)
        codes = ", ".join(f.code for f in hmap.missing_required)
        raise WrongDataset(
            f"文件缺少必填列：{names}；请按数据集“{spec.name}”的模板提供，未导入任何数据",
            f"the file lacks required columns {codes} of dataset {spec.code}; nothing was stored",
            dataset=spec.code,
            missing=[f.code for f in hmap.missing_required],
        )
    return hmap
