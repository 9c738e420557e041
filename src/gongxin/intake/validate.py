"""Validating one row against its dataset's layout: field parsers plus the row's own rules.

The result is the row's normalised values (by field code) and every problem found, each naming
the row, the field, the value and the rule, in Chinese with an English gloss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gongxin.catalog.model import Condition, FieldSpec
from gongxin.clock import local_date
from gongxin.formulas import is_formula_like
from gongxin.ids import uscc
from gongxin.intake.fields import (
    MOJIBAKE,
    Parser,
    compile_field,
    validate_id_number,
)
from gongxin.intake.mapping import HeaderMap, header_key
from gongxin.intake.readers.table import Row
from gongxin.intake.values import NULL_TOKENS, ValueProblem, as_text

SHOWN_VALUE = 100  # characters of a value quoted in a message
_POSITIONAL = re.compile(r"^第\d+列$")  # the readers' name for a cell past the last header


@dataclass(slots=True)
class Problem:
    field: str  # field code ("" for the row as a whole)
    name: str  # the field's Chinese name
    value: str  # the raw value, shortened
    rule: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "name": self.name,
            "value": self.value,
            "rule": self.rule,
            "zh": self.zh,
            "en": self.en,
        }

    def describe(self, row: int) -> str:
        where = f"字段“{self.name}”（{self.field}）" if self.field else "整行"
        value = f"值“{self.value}”" if self.value else "值为空"
        return f"第{row}行 {where} {value}：{self.zh}（{self.en}）"


@dataclass(slots=True)
class Checked:
    number: int
    data: dict[str, Any] | None  # normalised values; None when the row is rejected
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    link_kind: str | None = None  # uscc | reg_no | org_code | person
    link_code: str | None = None


def _shown(raw: Any) -> str:
    text = "" if raw is None else str(raw)
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE] + "…"


def _formula_cells(parsed: list[tuple[str, list[Any]]]) -> dict[int, list[str]]:
    """Rows (by index) and the fields whose text a spreadsheet would run as a formula."""
    found: dict[int, list[str]] = {}
    for code, vals in parsed:
        joined = "\x00" + "\x00".join(v for v in vals if type(v) is str)
        if not any(mark in joined for mark in ("\x00=", "\x00+", "\x00-", "\x00@")):
            continue  # the common case: one scan of the column, no cell looked at
        for i, value in enumerate(vals):
            if type(value) is str and is_formula_like(value):
                found.setdefault(i, []).append(code)
    return found


def _padded(values: list[Any], width: int) -> list[Any]:
    return [*values, *([None] * (width - len(values)))]


def _texts(raw_col: tuple[Any, ...]) -> list[str | None] | None:
    """Plain-text cells trimmed, null tokens as None; None when a cell needs the full parser
    (not a string, or a leading apostrophe from our own safe export)."""
    try:
        vals = [None if (t := raw.strip()) in NULL_TOKENS else t for raw in raw_col]
    except AttributeError:
        return None
    if "\x00'" in "\x00" + "\x00".join(filter(None, vals)):
        return None
    return vals


def _extra_columns(extras: dict[str, Any]) -> Problem:
    extra = "；".join(f"{k}={_shown(x)}" for k, x in extras.items() if x is not None)
    return Problem(
        "",
        "",
        _shown(extra),
        "extra_columns",
        "本行的值多于表头的列，可能有未加引号的分隔符",
        "the row has more values than the header has columns",
    )


def _holds(cond: Condition, data: dict[str, Any]) -> bool:
    value = data.get(cond.field)
    if cond.present is not None:
        return (value is not None) == cond.present
    if cond.in_ is not None:
        return value in cond.in_
    if isinstance(value, list):
        return cond.contains in value
    return value is not None and value == cond.contains


class RowValidator:
    """Validates rows of one file, for one header map, at the moment ``as_of``."""

    def __init__(self, hmap: HeaderMap, as_of: datetime) -> None:
        self.hmap = hmap
        self.today = local_date(as_of).isoformat()
        fields = {f.code: f for f in hmap.fields}
        self._fields = fields
        # (column, code, plain text?, max length, parser): plain text is parsed inline.
        self._plan: list[tuple[int, str, bool, int | None, Parser]] = []
        for f in hmap.fields:
            if f.code in hmap.columns:
                plain = f.type in ("text", "id_number") and f.min_length is None
                self._plan.append(
                    (hmap.columns[f.code], f.code, plain, f.max_length, compile_field(f))
                )
        self._required = [f.code for f in hmap.fields if f.required and f.code in hmap.columns]
        self._conditional = [f for f in hmap.fields if f.required_when or f.positive_when]
        self._dates = [f for f in hmap.fields if f.not_after_today or f.not_before]
        self._id_numbers = [f for f in hmap.fields if f.type == "id_number" and f.id_type_field]
        keys = hmap.spec.subject_keys
        self._keys = keys
        self._links = [
            (kind, code)
            for kind, code in (
                ("uscc", keys.uscc),
                ("reg_no", keys.reg_no),
                ("org_code", keys.org_code),
                ("person", keys.person_id),
            )
            if code
        ]
        self._warned: dict[str, str | None] = {}
        # Fields no column feeds, by header: JSON objects may carry them as later keys.
        self._late: dict[str, tuple[FieldSpec, Parser]] = {
            header_key(h): (f, compile_field(f))
            for f in hmap.fields
            if f.code not in hmap.columns
            for h in f.headers
        }

    def check(self, row: Row) -> Checked:
        """One row; see :meth:`check_batch`."""
        return self.check_batch([row])[0]

    def check_batch(self, rows: list[Row]) -> list[Checked]:
        """Validate rows column by column, then apply the row rules to each row.

        Each distinct raw value of a column is parsed once per batch: codes, dates, enums and
        amounts repeat a lot in department files, so most cells cost one dictionary lookup.
        """
        n = len(rows)
        if n == 0:
            return []
        width = max(col for col, *_ in self._plan) + 1 if self._plan else 0
        matrix = [r.values if len(r.values) >= width else _padded(r.values, width) for r in rows]
        columns = list(zip(*matrix, strict=False)) if width else []
        failures: dict[int, list[Problem]] = {}
        soft: dict[int, list[Problem]] = {}  # problems of on_error: warn fields
        mojibake: dict[int, list[str]] = {}
        parsed: list[tuple[str, list[Any]]] = []
        for col, code, plain, max_len, parse in self._plan:
            raw_col = columns[col]
            vals = _texts(raw_col) if plain else None
            if vals is not None:
                if max_len is not None and max(map(len, filter(None, vals)), default=0) > max_len:
                    vals = self._parse_each(raw_col, code, parse, failures, soft)
                elif MOJIBAKE in "".join(filter(None, vals)):
                    for i, text in enumerate(vals):
                        if text and MOJIBAKE in text:
                            mojibake.setdefault(i, []).append(code)
            else:
                vals = self._parse_each(raw_col, code, parse, failures, soft)
            parsed.append((code, vals))
        formula_cells = _formula_cells(parsed)
        parsed.sort(key=lambda item: item[0])  # stored JSON keys in a stable order
        out: list[Checked] = []
        for i, row in enumerate(rows):
            data = {code: vals[i] for code, vals in parsed if vals[i] is not None}
            errors = failures.get(i, [])
            if row.extras:
                self._extras(row.extras, data, errors)
            self._row_rules(data, row.values, errors)
            result = Checked(row.number, None if errors else data, errors)
            if not errors:
                self._link(result, data)
                self._warn(result, mojibake.get(i))
                result.warnings.extend(soft.get(i, ()))
                for code in formula_cells.get(i, ()):
                    result.warnings.append(self._formula_warning(code, data[code]))
            out.append(result)
        return out

    def _parse_each(
        self,
        raw_col: tuple[Any, ...],
        code: str,
        parse: Parser,
        failures: dict[int, list[Problem]],
        soft: dict[int, list[Problem]],
    ) -> list[Any]:
        """Parse each distinct value once; a field with ``on_error: warn`` keeps the raw text
        of a value it cannot parse and flags the row instead of rejecting it."""
        results: dict[Any, Any] = {}
        bad = False
        for raw in set(raw_col):
            try:
                results[raw] = parse(raw)
            except ValueProblem as failed:
                results[raw] = failed.detached()  # kept: no frame of this batch with it
                bad = True
        vals = [results[raw] for raw in raw_col]
        if bad:
            f = self._fields[code]
            lenient = f.on_error == "warn"
            for i, value in enumerate(vals):
                if isinstance(value, ValueProblem):
                    problem = Problem(
                        code, f.name, _shown(raw_col[i]), value.rule, value.zh, value.en
                    )
                    if lenient:
                        problem.zh += "；已按原文保存"
                        problem.en += "; kept as written"
                        soft.setdefault(i, []).append(problem)
                        vals[i] = as_text(raw_col[i])
                    else:
                        failures.setdefault(i, []).append(problem)
                        vals[i] = None
        return vals

    def _extras(self, extras: dict[str, Any], data: dict[str, Any], errors: list[Problem]) -> None:
        """Cells under no header. Positional ones (``第N列``: a row longer than the header)
        reject the row; named ones (keys that JSON objects need not all share) fill their
        field when they name one, and are otherwise ignored like an unknown column."""
        stray: dict[str, Any] = {}
        for name, raw in extras.items():
            if as_text(raw) is None:
                continue
            if _POSITIONAL.match(name):
                stray[name] = raw
                continue
            late = self._late.get(header_key(name))
            if late is None or late[0].code in data:
                continue
            f, parse = late
            try:
                value = parse(raw)
            except ValueProblem as p:
                errors.append(Problem(f.code, f.name, _shown(raw), p.rule, p.zh, p.en))
                continue
            if value is not None:
                data[f.code] = value
        if stray:
            errors.append(_extra_columns(stray))

    def _raw(self, values: list[Any], code: str) -> str:
        col = self.hmap.columns.get(code)
        return _shown(values[col]) if col is not None and col < len(values) else ""

    def _row_rules(self, data: dict[str, Any], values: list[Any], errors: list[Problem]) -> None:
        failed = {p.field for p in errors} if errors else ()
        for code in self._required:
            if code not in data and code not in failed:
                name = self._fields[code].name
                errors.append(Problem(code, name, "", "required", "必填项为空", "required"))
        for f in self._conditional:
            if f.code in failed:
                continue
            if f.required_when and f.code not in data and _holds(f.required_when, data):
                cond = self._fields[f.required_when.field]
                errors.append(
                    Problem(
                        f.code,
                        f.name,
                        "",
                        "required_when",
                        f"“{cond.name}”为“{data.get(cond.code)}”时必填",
                        f"required when {cond.code} is {data.get(cond.code)!r}",
                    )
                )
            if f.positive_when and _holds(f.positive_when, data):
                amount = data.get(f.code)
                if amount is None or float(amount) <= 0:
                    cond = self._fields[f.positive_when.field]
                    errors.append(
                        Problem(
                            f.code,
                            f.name,
                            self._raw(values, f.code),
                            "positive_when",
                            f"“{cond.name}”含“{f.positive_when.contains}”时须大于 0",
                            f"must be > 0 when {cond.code} includes {f.positive_when.contains!r}",
                        )
                    )
        for f in self._dates:
            value = data.get(f.code)
            if value is None:
                continue
            if f.not_after_today and value > self.today and not f.long_term_sentinel:
                errors.append(
                    Problem(
                        f.code,
                        f.name,
                        self._raw(values, f.code),
                        "not_after_today",
                        f"日期晚于提交日 {self.today}",
                        f"date is after the submission date {self.today}",
                    )
                )
            if f.not_before and data.get(f.not_before) and value < data[f.not_before]:
                ref = self._fields[f.not_before]
                errors.append(
                    Problem(
                        f.code,
                        f.name,
                        self._raw(values, f.code),
                        "not_before",
                        f"不能早于“{ref.name}”（{data[f.not_before]}）",
                        f"must not precede {ref.code} ({data[f.not_before]})",
                    )
                )
        for f in self._id_numbers:
            number = data.get(f.code)
            if number is None or f.id_type_field is None:
                continue
            try:
                data[f.code] = validate_id_number(data.get(f.id_type_field), number)
            except ValueProblem as p:
                errors.append(Problem(f.code, f.name, "", p.rule, p.zh, p.en))

    def _link(self, result: Checked, data: dict[str, Any]) -> None:
        for kind, code in self._links:
            value = data.get(code)
            if value:
                if self._fields[code].type == "subject_code":  # validated: its length tells
                    kind = "reg_no" if len(value) == 15 else "uscc"
                result.link_kind, result.link_code = kind, value
                return

    def _formula_warning(self, code: str, value: str) -> Problem:
        f = self._fields[code]
        return Problem(
            code, f.name, _shown(value), "formula_cell",
            f"值以“{value[0]}”开头，电子表格可能把它当作公式执行；已按文本保存，"
            "平台导出的 CSV/Excel 文件中会在前面加单引号",
            f"starts with {value[0]!r} and could run as a spreadsheet formula; stored as text, "
            "exported with a leading apostrophe",
        )  # fmt: skip

    def _warn(self, result: Checked, mojibake: list[str] | None) -> None:
        if result.link_kind == "uscc" and result.link_code:
            code = result.link_code
            if code not in self._warned:
                if len(self._warned) > 50_000:
                    self._warned.clear()
                self._warned[code] = uscc.org_code_warning(code)
            message = self._warned[code]
            if message:
                field_code = self._keys.uscc or ""
                name = self._fields[field_code].name
                result.warnings.append(
                    Problem(field_code, name, code, "embedded_org_code", message, message)
                )
        for code in mojibake or ():
            f = self._fields[code]
            result.warnings.append(
                Problem(
                    code,
                    f.name,
                    _shown(result.data.get(code) if result.data else ""),
                    "mojibake",
                    "含无法识别的字符（乱码），已按原样保存",
                    "contains undecodable characters",
                )
            )
