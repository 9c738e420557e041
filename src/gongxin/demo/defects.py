"""The mistakes departments really make, one per defective row, and the harmless variations
that intake must accept (full-width codes, ``N/A`` in an optional field).

A defect always breaks a rule of the spec, so intake must reject the row; a variation never
does, so intake must accept it.
"""

from __future__ import annotations

import random
from datetime import date

from gongxin.catalog.model import DatasetSpec, FieldSpec
from gongxin.demo.codes import full_width, wrong_check
from gongxin.demo.fill import Row
from gongxin.intake.values import normalise_label

DEFECTS = (
    "bad_check",  # wrong check character in the USCC
    "missing_required",  # a required value left empty
    "bad_date",  # a date that does not exist: 2024年13月45日
    "bad_enum",  # a value not in the field's list
    "negative_fine",  # a negative amount
    "missing_fine",  # no fine although 处罚类别 contains 罚款
)
# Words clerks type into list fields that are not on the list.
_WRONG_LABELS = ("其它", "罚金", "责令改正", "企业法人", "个人", "一般", "正常", "暂无", "已失效")


def _accepted(f: FieldSpec, label: str) -> bool:
    key = normalise_label(label)
    known = {normalise_label(v) for v in (f.values or [])}
    known |= {normalise_label(a) for a in f.value_aliases}
    prefix = normalise_label(f.other_prefix) if f.other_prefix else None
    return key in known or (prefix is not None and key.startswith(prefix))


def _wrong_label(f: FieldSpec, rng: random.Random) -> str | None:
    choices = [w for w in _WRONG_LABELS if not _accepted(f, w)]
    return rng.choice(choices) if choices else None


def _fine_fields(spec: DatasetSpec, row: Row) -> list[FieldSpec]:
    """Amounts required because a multi-valued field contains a value (罚款), and present."""
    out = []
    for f in spec.fields:
        cond = f.required_when or f.positive_when
        if cond is None or cond.contains is None or row.get(f.code) is None:
            continue
        value = row.get(cond.field)
        if isinstance(value, str) and cond.contains in value.replace("；", ";").split(";"):
            out.append(f)
    return out


def _candidates(spec: DatasetSpec, row: Row) -> dict[str, list[FieldSpec]]:
    """The fields each kind of defect could break in this row."""
    code = spec.subject_keys.uscc
    uscc_value = row.get(code) if code else None
    filled = [f for f in spec.fields if row.get(f.code) not in (None, "")]
    return {
        "bad_check": [spec.field(code)]
        if code and isinstance(uscc_value, str) and len(uscc_value) == 18
        else [],
        "missing_required": [f for f in filled if f.required],
        "bad_date": [f for f in filled if f.type == "date" and isinstance(row[f.code], date)],
        "bad_enum": [f for f in filled if f.type == "enum" and f.values],
        "negative_fine": [f for f in filled if f.type == "decimal"],
        "missing_fine": _fine_fields(spec, row),
    }


def applicable(spec: DatasetSpec, row: Row) -> list[str]:
    return [kind for kind, fields in _candidates(spec, row).items() if fields]


def inject(kind: str, spec: DatasetSpec, row: Row, rng: random.Random) -> str:
    """Break ``row`` with one defect of ``kind``; returns the field code broken."""
    fields = _candidates(spec, row)[kind]
    if kind == "bad_date":  # the decision date, when it can be
        fields = [f for f in fields if f.required] or fields
    elif kind == "negative_fine":  # the fine, when there is one
        fields = [f for f in fields if f.positive_when] or fields
    f = rng.choice(fields)
    value = row[f.code]
    if kind == "bad_check":
        assert isinstance(value, str)
        row[f.code] = wrong_check(value)
    elif kind in ("missing_required", "missing_fine"):
        row[f.code] = None
    elif kind == "bad_date":
        year = value.year if isinstance(value, date) else 2024
        row[f.code] = f"{year}年13月{rng.randint(32, 45)}日"
    elif kind == "bad_enum":
        wrong = _wrong_label(f, rng)
        if wrong is None:  # every word is accepted: blank a required field instead
            return inject("missing_required", spec, row, rng)
        row[f.code] = f"{value}；{wrong}" if f.multiple else wrong
    elif kind == "negative_fine":
        row[f.code] = f"-{value}"
    else:  # pragma: no cover - DEFECTS lists every kind
        raise ValueError(kind)
    return f.code


def vary(spec: DatasetSpec, row: Row, rng: random.Random) -> str | None:
    """A harmless variation: a full-width subject code, or ``N/A`` in an empty optional field."""
    code = spec.subject_keys.uscc
    value = row.get(code) if code else None
    if code and isinstance(value, str) and rng.random() < 0.4:
        row[code] = full_width(value)
        return "full_width"
    empty = [f for f in spec.fields if not f.required and row.get(f.code) is None]
    if empty:
        row[rng.choice(empty).code] = "N/A"
        return "na"
    return None
