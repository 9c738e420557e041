"""Parsing one cell into its normalised value, by field type.

Each parser takes the raw cell (text from CSV/JSON, or a number/date from a spreadsheet) and
returns the normalised value, or raises :class:`ValueProblem` naming the rule it broke.
Parsers are pure and fast: intake calls them millions of times.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's serial day 0 (its 1900 leap-year bug included)

# Values departments send to say "no value".
NULL_TOKENS = frozenset(
    {
        "",
        "N/A",
        "NA",
        "n/a",
        "N/a",
        "NULL",
        "null",
        "Null",
        "None",
        "none",
        "无",
        "-",
        "--",
        "—",
        "／",
        "/",
        "#N/A",
        "nan",
        "NaN",
    }
)


class ValueProblem(Exception):
    """A cell broke a rule. ``rule`` is a short identifier; zh/en explain it to a clerk."""

    def __init__(self, rule: str, zh: str, en: str) -> None:
        super().__init__(rule)
        self.rule = rule
        self.zh = zh
        self.en = en

    def detached(self) -> ValueProblem:
        """This problem without the frames it was raised in (its traceback, and the error it
        was raised while handling), to be kept beyond them: intake keeps one problem per
        distinct bad value while the cyclic collector is paused, and a kept frame would keep
        its batch's rows alive (tests/intake/test_pipeline_memory.py)."""
        self.__traceback__ = None
        self.__context__ = self.__cause__ = None
        return self


def as_text(raw: Any) -> str | None:
    """The cell as trimmed text; None for empty cells and null tokens.

    Whole floats from spreadsheets lose their ``.0`` (a code typed into Excel becomes a number).
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
    elif isinstance(raw, bool):
        text = "是" if raw else "否"
    elif isinstance(raw, float):
        text = str(int(raw)) if raw.is_integer() and abs(raw) < 1e16 else repr(raw)
    elif isinstance(raw, datetime):
        text = raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat()
    elif isinstance(raw, date):
        text = raw.isoformat()
    else:
        text = str(raw).strip()
    if text in NULL_TOKENS:
        return None
    if text[0] == "'" and len(text) > 1 and text[1] in "=+-@":
        return text[1:]  # the protective apostrophe of our own safe CSV export
    return text


# -- dates -------------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_SERIAL_RE = re.compile(r"^\d{1,5}(?:\.0+)?$")


def _date_problem(text: str) -> ValueProblem:
    return ValueProblem(
        "date_format",
        f"日期无法识别：{text[:40]}；请使用 YYYY/MM/DD 格式",
        f"unrecognised date {text[:40]!r}; use YYYY/MM/DD",
    )


def _from_serial(serial: float, text: str) -> date:
    if not 1 <= serial < 2958466:  # Excel's range: 1900-01-01 .. 9999-12-31
        raise _date_problem(text)
    return EXCEL_EPOCH + timedelta(days=int(serial))


def parse_date(raw: Any) -> date:
    """Accepts 2024/1/5, 2024-01-05, 20240105, 2024年1月5日, 2024.1.5 and Excel serials."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _from_serial(float(raw), str(raw))
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    m = _DATE_RE.match(text)
    if m is None:
        if _SERIAL_RE.match(text):
            return _from_serial(float(text), text)
        raise _date_problem(text)
    year = int(m.group(1))
    month = int(m.group(2) or m.group(4))
    day = int(m.group(3) or m.group(5))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(
            "date_invalid",
            f"日期不存在：{text}",
            f"no such date: {text}",
        ) from None


# -- numbers -----------------------------------------------------------------------------

_NUMBER_STRIP = str.maketrans("", "", ", _\u3000\u00a0'")


def parse_decimal(raw: Any, scale: int | None, unit: str | None) -> Decimal:
    """A non-negative decimal; thousands separators, full-width digits and the unit are allowed."""
    if isinstance(raw, bool):
        raise ValueProblem("number", f"不是数字：{raw}", f"not a number: {raw}")
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip().translate(_NUMBER_STRIP)
        if unit and text.endswith(unit):
            text = text[: -len(unit)]
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueProblem(
                "number", f"不是数字：{str(raw)[:40]}", f"not a number: {str(raw)[:40]!r}"
            ) from None
    if not value.is_finite():
        raise ValueProblem("number", f"不是数字：{raw}", f"not a number: {raw}")
    if value < 0:
        raise ValueProblem("negative", f"金额不能为负数：{raw}", f"must not be negative: {raw}")
    if scale is not None:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > scale:
            raise ValueProblem(
                "scale",
                f"小数位数超过 {scale} 位：{raw}",
                f"more than {scale} decimal places: {raw}",
            )
    return value


def parse_integer(raw: Any) -> int:
    value = parse_decimal(raw, 0, None)
    return int(value)


_CAPITAL_RE = re.compile(r"^([0-9][0-9.,]*)\s*(.*?)\s*$")
_UNIT_RE = re.compile(r"^[^\d\s]{1,20}$")


def parse_capital(raw: Any, default_unit: str = "") -> dict[str, str]:
    """Registered capital with its unit: ``2,000(万元人民币)`` → amount 2000, unit 万元人民币.

    The unit may carry its own brackets (``1,222(万元(港币))`` → unit 万元(港币)); a bare
    number takes ``default_unit``.
    """
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return {
            "amount": format(parse_decimal(raw, None, None).normalize(), "f"),
            "unit": default_unit,
        }
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace("，", ",")
    m = _CAPITAL_RE.match(text)
    unit = m.group(2) if m else ""
    if unit.startswith("(") and unit.endswith(")"):
        unit = unit[1:-1].strip()
    if m is None or (unit and not _UNIT_RE.match(unit)):
        raise ValueProblem(
            "capital_format",
            f"注册资金格式无法识别：{text[:40]}；应为 金额(单位)，如 2,000(万元人民币)",
            f"unrecognised capital {text[:40]!r}; expected amount(unit), e.g. 2,000(万元人民币)",
        )
    amount = parse_decimal(m.group(1), None, None)
    return {"amount": format(amount.normalize(), "f"), "unit": unit or default_unit}


def decimal_text(value: Decimal, scale: int | None) -> str:
    """The stored form of a decimal: fixed-point text, ``scale`` places when given."""
    if scale is not None:
        return format(value.quantize(Decimal(1).scaleb(-scale)), "f")
    return format(value, "f")


# -- enums -------------------------------------------------------------------------------


def normalise_label(text: str) -> str:
    """Labels compare after NFKC (full-width brackets → ASCII) and without inner spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())
