"""Completing a row against its dataset spec, whatever the dataset.

A dataset's builder (see :mod:`gongxin.demo.rows`) sets what only it knows — the case, the
dates, the document number — in a :class:`Ctx` and in the row. :func:`complete` fills every other
field from the field's role (the subject's name and codes, the authority, the data source, the
dates…), then enforces the spec's rules (conditional requirements, positive amounts, date order,
lengths), so a row it returns passes intake even for a spec written after this module.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from gongxin.catalog.model import Condition, DatasetSpec, FieldSpec
from gongxin.demo.agencies import Agency
from gongxin.demo.names import person_name
from gongxin.demo.regions import Region
from gongxin.demo.subjects import PERSON, Person, Subject

Value = str | date | None
Row = dict[str, Value]
LONG_TERM = date(2099, 12, 31)


@dataclass
class Ctx:
    """One record being built: who it is about, who decided it, when, and what it says."""

    rng: random.Random
    as_of: date
    seq: int  # the row's number in its file, for unique document numbers
    subject: Subject | None
    person: Person | None  # set when the counterpart is a natural person
    authority: Agency
    provider: Agency
    event: date = date(2000, 1, 1)  # decision / listing date
    end: date | None = None  # end of validity or planned removal
    removal: date | None = None  # actual removal
    removal_reason: str | None = None
    must_remove: bool = False  # a listing that must come out removed (see remove_some)
    within_days: int | None = None  # a planted case: its events fall in the last N days
    doc: str = ""
    reason: str = ""
    basis: str = ""
    content: str = ""

    @property
    def category(self) -> str:
        if self.person is not None:
            return PERSON
        assert self.subject is not None
        return self.subject.category

    @property
    def name(self) -> str:
        return self.person.name if self.person else self._subject.name

    @property
    def region(self) -> Region:
        return self.person.region if self.person else self._subject.region

    @property
    def since(self) -> date:
        """The earliest date a record about this counterpart can carry."""
        return self._subject.reg_date if self.person is None else self.person.born

    @property
    def _subject(self) -> Subject:
        assert self.subject is not None
        return self.subject

    def recent(self, years: float = 4.0, *, old_share: float = 0.0) -> date:
        """A date in the last ``years`` (a share ``old_share`` of them more than 3 years ago),
        never before the counterpart existed."""
        span = int(365 * years)
        if self.within_days is not None:
            days = self.rng.randint(0, self.within_days)
        elif old_share and self.rng.random() < old_share:
            days = self.rng.randint(3 * 365 + 10, max(span, 3 * 365 + 11))
        else:
            days = self.rng.randint(0, min(span, 3 * 365))
        day = self.as_of - timedelta(days=days)
        return max(day, self.since, self.as_of - timedelta(days=span))


def _has(name: str, *words: str) -> bool:
    return any(w in name for w in words)


def _holds(cond: Condition, row: Row) -> bool:
    value = row.get(cond.field)
    if cond.present is not None:
        return (value is not None) == cond.present
    if cond.in_ is not None:
        return value in cond.in_
    if isinstance(value, str) and cond.contains is not None:
        return cond.contains in value.replace("；", ";").split(";")
    return False


def _date(spec: DatasetSpec, f: FieldSpec, ctx: Ctx, force: bool) -> Value:
    name = f.name
    if _has(name, "移出", "撤销", "删除", "屏蔽", "停止") and not _has(name, "计划"):
        return ctx.removal
    if _has(name, "计划", "至", "止", "截止", "届满", "期限"):
        if _has(name, "公示截止"):
            return None
        return ctx.end or (LONG_TERM if f.long_term_sentinel and force else None)
    if _has(name, "立案"):
        return ctx.event - timedelta(days=ctx.rng.randint(30, 240))
    if f.code == spec.date_field or f.required or force or _has(name, "有效期自", "起"):
        return ctx.event
    return None


def _text(spec: DatasetSpec, f: FieldSpec, ctx: Ctx, force: bool) -> Value:
    name = f.name
    entity = ctx.person is None
    if _has(name, "来源"):
        return ctx.provider.name
    if _has(name, "移出") and _has(name, "机关", "部门", "单位"):
        return ctx.authority.name if ctx.removal else None
    if _has(name, "移出", "删除", "停止") and _has(name, "原因"):
        return ctx.removal_reason if ctx.removal else None
    if _has(name, "地址", "住所") and entity:
        return ctx._subject.address
    if not (f.required or force):
        return None
    if _has(name, "机关", "法院", "部门", "单位", "机构"):
        return ctx.authority.name
    if _has(name, "文号", "文书号", "案号", "编号"):
        return ctx.doc
    if _has(name, "原因", "事由", "情形", "事实", "情况"):
        return ctx.reason or "详见决定书。"
    if _has(name, "依据"):
        return ctx.basis or "详见决定书。"
    if _has(name, "名称"):
        return ctx.name
    return ctx.content or "详见决定书。"


def _value(spec: DatasetSpec, f: FieldSpec, ctx: Ctx, force: bool = False) -> Value:
    keys = spec.subject_keys
    code, person, subject = f.code, ctx.person, ctx.subject
    if code == keys.name:
        return ctx.name
    if code == keys.category:
        return ctx.category
    if code == keys.uscc:
        return None if person or subject is None else subject.uscc
    if code == keys.reg_no:
        return subject.reg_no if subject and not person and not subject.uscc else None
    if code == keys.org_code:
        return subject.org_code if subject and not person and force else None
    if code == keys.person_id:
        return person.id_number if person else None
    if f.mask == "person_name":
        if person is not None:
            return None
        return person_name(ctx.rng) if _has(f.name, "财务") else ctx._subject.legal_rep.name
    if f.type == "uscc":
        return ctx.provider.code if _has(f.name, "来源") else ctx.authority.code
    if f.type == "date":
        return _date(spec, f, ctx, force)
    if f.type == "enum" and (f.required or force):
        assert f.values is not None
        return ctx.rng.choice(f.values)
    if f.type == "integer" and (f.required or force):
        return str(ctx.event.year) if "年" in f.name else "1"
    if f.type == "decimal" and (f.required or force):
        return f"{ctx.rng.randint(1, 500) / 100:g}"
    if f.type == "capital":
        return subject.capital if subject and not person else None
    if f.type in ("text", "id_number") and not f.id_type_field:
        return _text(spec, f, ctx, force)
    return None


def _id_pairs(spec: DatasetSpec, row: Row, ctx: Ctx) -> None:
    """ID type + number pairs: the counterpart's own, and optionally the legal representative's."""
    keys = spec.subject_keys
    for f in spec.fields:
        if f.type != "id_number" or not f.id_type_field or f.code in row:
            continue
        if f.code == keys.person_id:
            number = ctx.person.id_number if ctx.person else None
        elif ctx.person is None and ctx.subject and ctx.rng.random() < 0.3:
            number = ctx.subject.legal_rep.id_number
        else:
            number = None
        row[f.code] = number
        row.setdefault(f.id_type_field, "身份证" if number else None)


def complete(spec: DatasetSpec, row: Row, ctx: Ctx) -> Row:
    """Fill the fields the builder left out, then make the row obey the spec's rules."""
    _id_pairs(spec, row, ctx)
    for f in spec.fields:
        if f.code not in row:
            row[f.code] = _value(spec, f, ctx)
    by_code = {f.code: f for f in spec.fields}
    for f in spec.fields:
        if row.get(f.code) is None and (
            f.required or (f.required_when is not None and _holds(f.required_when, row))
        ):
            row[f.code] = _value(spec, f, ctx, force=True)
        if f.positive_when is not None and _holds(f.positive_when, row):
            value = row.get(f.code)
            if not isinstance(value, str) or float(value) <= 0:
                row[f.code] = f"{ctx.rng.randint(1, 500) / 100:g}"
    for f in spec.fields:
        value = row.get(f.code)
        if isinstance(value, date):
            if f.not_after_today and not f.long_term_sentinel and value > ctx.as_of:
                value = ctx.as_of
            ref = row.get(f.not_before) if f.not_before else None
            if isinstance(ref, date) and value < ref:
                value = ref
            row[f.code] = value
        elif isinstance(value, str) and f.max_length and len(value) > f.max_length:
            row[f.code] = value[: f.max_length]
    return {code: row.get(code) for code in by_code}
