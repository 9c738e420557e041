"""gongxin.intake.values: cells to normalised values (dates, numbers, capital, text)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from gongxin.catalog.registry import load_catalog
from gongxin.clock import LONG_TERM
from gongxin.intake.values import (
    ValueProblem,
    as_text,
    decimal_text,
    normalise_label,
    parse_capital,
    parse_date,
    parse_decimal,
    parse_integer,
)

DAY = date(2024, 1, 5)


@pytest.mark.parametrize(
    "raw",
    [
        "2024/1/5",
        "2024/01/05",
        "2024-01-05",
        "2024-1-5",
        "2024.1.5",
        "20240105",
        "2024年1月5日",
        "2024年01月05日",
        "2024 年 1 月 5 日",
        "２０２４／０１／０５",
        " 2024-01-05 ",
        "2024-01-05 00:00:00",
        "2024-01-05T08:30",
        "2024/1/5 8:30:15.5",
        "45296",
        "45296.0",
        45296,
        45296.0,
        45296.75,  # a date-time serial: the day counts
        datetime(2024, 1, 5, 13, 45),
        DAY,
    ],
)
def test_every_spelling_of_a_date(raw: object) -> None:
    assert parse_date(raw) == DAY


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1899, 12, 31)),
        (60, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (2958465, date(9999, 12, 31)),
    ],
)
def test_excel_serials(serial: int, expected: date) -> None:
    assert parse_date(serial) == expected
    assert parse_date(float(serial)) == expected
    if serial < 100_000:  # as text, only serials of up to five digits count as dates
        assert parse_date(str(serial)) == expected


def test_the_long_term_date() -> None:
    assert parse_date("2099/12/31") == LONG_TERM == date(2099, 12, 31)


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("2024/13/45", "date_invalid"),
        ("2023-02-29", "date_invalid"),
        ("2024-00-10", "date_invalid"),
        ("05/01/2024", "date_format"),
        ("昨天", "date_format"),
        ("2024年1月", "date_format"),
        ("0", "date_format"),
        (0, "date_format"),
        (2958466, "date_format"),
        ("-5", "date_format"),
    ],
)
def test_bad_dates_name_their_rule(raw: object, rule: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_date(raw)
    assert caught.value.rule == rule
    assert caught.value.zh and caught.value.en


@pytest.mark.parametrize(
    ("raw", "scale", "unit", "expected"),
    [
        ("1,234.5", None, None, Decimal("1234.5")),
        ("1，234.5", None, None, Decimal("1234.5")),  # a full-width thousands separator
        ("１２３４.５", None, None, Decimal("1234.5")),
        ("１，２３４", None, None, Decimal("1234")),
        (" 12 345 ", None, None, Decimal("12345")),
        ("0.5万元", 6, "万元", Decimal("0.5")),
        ("0.000001", 6, "万元", Decimal("0.000001")),
        (3, None, None, Decimal(3)),
        (2.5, None, None, Decimal("2.5")),
        ("0", None, None, Decimal(0)),
    ],
)
def test_decimals(raw: object, scale: int | None, unit: str | None, expected: Decimal) -> None:
    assert parse_decimal(raw, scale, unit) == expected


@pytest.mark.parametrize(
    ("raw", "scale", "rule"),
    [
        ("-1", None, "negative"),
        ("abc", None, "number"),
        ("1.2.3", None, "number"),
        ("NaN", None, "number"),
        ("Infinity", None, "number"),
        ("0.0000001", 6, "scale"),
        (True, None, "number"),
    ],
)
def test_bad_decimals(raw: object, scale: int | None, rule: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_decimal(raw, scale, None)
    assert caught.value.rule == rule


def test_decimal_text_and_integers() -> None:
    assert decimal_text(Decimal("1.5"), 6) == "1.500000"
    assert decimal_text(Decimal("1E+3"), None) == "1000"
    assert parse_integer("1,000") == 1000
    with pytest.raises(ValueProblem):
        parse_integer("1.5")


@pytest.mark.parametrize(
    ("raw", "amount", "unit"),
    [
        ("2,000(万元人民币)", "2000", "万元人民币"),
        ("168(万美元)", "168", "万美元"),
        ("34.6000(万元人民币)", "34.6", "万元人民币"),
        ("1,098.6063(万元人民币)", "1098.6063", "万元人民币"),
        ("50万人民币", "50", "万人民币"),
        ("30（万元人民币）", "30", "万元人民币"),
        ("１２(万元人民币)", "12", "万元人民币"),
        ("0(万元人民币)", "0", "万元人民币"),
    ],
)
def test_capital_from_the_real_data(raw: str, amount: str, unit: str) -> None:
    assert parse_capital(raw) == {"amount": amount, "unit": unit}


@pytest.mark.parametrize(
    ("raw", "amount", "unit"),
    [
        ("1,222(万元(港币))", "1222", "万元(港币)"),
        ("150(万元(人民币))", "150", "万元(人民币)"),
        ("1,000(万元（人民币）)", "1000", "万元(人民币)"),
        ("5,211.1000(万元(港币))", "5211.1", "万元(港币)"),
    ],
)
def test_capital_with_a_bracketed_currency(raw: str, amount: str, unit: str) -> None:
    """As 广东's 1993 file writes it: 76 rows there use a currency in inner brackets."""
    assert parse_capital(raw) == {"amount": amount, "unit": unit}


def test_a_bare_capital_number_is_in_ten_thousand_yuan() -> None:
    """The registration spec: 只填数字的按万元人民币理解 (a bare number is 万元人民币)."""
    unit = load_catalog().get("registration").field("DJ_ZCZB").unit
    assert unit == "万元人民币"
    assert parse_capital("500", unit) == {"amount": "500", "unit": "万元人民币"}
    assert parse_capital(500, unit) == {"amount": "500", "unit": "万元人民币"}
    assert parse_capital("168(万美元)", unit) == {"amount": "168", "unit": "万美元"}


@pytest.mark.parametrize("raw", ["CHI YEE GAVIN）", "WAYNE", "约两千万", "-5(万元人民币)"])
def test_capital_that_is_not_an_amount(raw: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_capital(raw)
    assert caught.value.rule in ("capital_format", "negative")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("N/A", None),
        ("null", None),
        ("无", None),
        ("--", None),
        ("#N/A", None),
        (" 北京 ", "北京"),
        (12.0, "12"),
        (12.5, "12.5"),
        (110108000000016.0, "110108000000016"),
        (True, "是"),
        (datetime(2024, 1, 5), "2024-01-05"),
        (DAY, "2024-01-05"),
        ("'=SUM(A1)", "=SUM(A1)"),  # the protective apostrophe of the CSV export
        ("'+1", "+1"),
        ("'abc", "'abc"),
        ("=SUM(A1)", "=SUM(A1)"),
    ],
)
def test_as_text(raw: object, expected: str | None) -> None:
    assert as_text(raw) == expected


def test_labels_compare_without_width_or_spaces() -> None:
    assert (
        normalise_label("行政相对人代码_1（统一社会信用代码）")
        == "行政相对人代码_1(统一社会信用代码)"
    )
    assert normalise_label(" 法人及 非法人组织 ") == "法人及非法人组织"
