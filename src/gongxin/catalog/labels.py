"""Datasets and fields by their Chinese names, for people: what a page shows wherever a
request, a grant or an audit entry names a dataset code (``penalty``) or field codes
(``CF_WSH``). A field holding personal information (个人信息: a resident ID or other ID number,
or a field the visibility gate masks for the public) is flagged."""

from __future__ import annotations

from dataclasses import dataclass

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
