"""Datasets and fields by their Chinese names, for people: what a page shows wherever a
request, a grant or an audit entry names a dataset code (``penalty``) or field codes
(``CF_WSH``). A field holding personal information (个人信息: a resident ID or other ID number,
or a field the visibility gate masks for the public) is flagged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gongxin.catalog.model import FieldSpec
from gongxin.catalog.registry import Catalog

PERSONAL_TYPES = frozenset({"resident_id", "id_number"})


@dataclass(frozen=True)
class FieldLabel:
    code: str
    name: str
    personal: bool


def is_personal(field: FieldSpec) -> bool:
    """Whether a field holds personal information (个人信息)."""
    return field.type in PERSONAL_TYPES or field.mask is not None or field.keyed_hash


def dataset_name(catalog: Catalog, code: str) -> str:
    """The dataset's Chinese name, or the code itself for one the catalog no longer has."""
    return catalog.get(code).name if code in catalog else code


def field_labels(catalog: Catalog, dataset: str, codes: list[str]) -> list[FieldLabel]:
    """Each field code with its Chinese name and personal flag, in the order given."""
    known = {f.code: f for f in catalog.get(dataset).fields} if dataset in catalog else {}
    return [
        FieldLabel(c, known[c].name, is_personal(known[c]))
        if c in known
        else FieldLabel(c, c, False)
        for c in codes
    ]


def all_fields(catalog: Catalog, dataset: str) -> list[FieldLabel]:
    """Every field of the dataset's current layout, labelled."""
    return [FieldLabel(f.code, f.name, is_personal(f)) for f in catalog.get(dataset).fields]


_DATASET_IN_TARGET = re.compile(r"\bdataset:([A-Za-z0-9_]+)")


@dataclass(frozen=True)
class Named:
    """What an audit entry's dataset code and field codes mean, for people."""

    dataset: str
    fields: list[FieldLabel]


def of_entry(catalog: Catalog, target: str, detail: Any) -> Named | None:
    """The dataset (``dataset:CODE`` in the target, or ``dataset`` in the detail) and the
    fields (``fields`` in the detail) an audit entry names, by Chinese name; None if none."""
    found = _DATASET_IN_TARGET.search(target or "")
    code = found.group(1) if found else None
    if code is None and isinstance(detail, dict) and isinstance(detail.get("dataset"), str):
        code = detail["dataset"]
    if code is None or code not in catalog:
        return None
    codes = detail.get("fields") if isinstance(detail, dict) else None
    wanted = [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []
    return Named(dataset_name(catalog, code), field_labels(catalog, code, wanted))
