"""项目代码 (GB/T 40058-2021): layout, year and region are checked; the check character is not
(its algorithm is unknown to the project, and no algorithm is invented)."""

from __future__ import annotations

from datetime import date

import pytest

from gongxin.ids import project_code


def test_a_well_formed_code_is_accepted_and_split() -> None:
    code = project_code.validate(
        "２０２１－３３０１０６－０４－０１－１２３４５６", as_of=date(2026, 1, 1)
    )
    assert code == "2021-330106-04-01-123456"
    assert project_code.segments(code) == {
        "year": "2021",
        "region": "330106",
        "sector": "04",
        "type": "01",
        "serial": "12345",
        "check": "6",
    }


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("2021-330106-04-01-12345", "代码长度"),
        ("2021330106-04-01-1234567", "代码结构"),
        ("2021-330106-04-01-12345X", "代码结构"),
        ("2016-330106-04-01-123456", "时间码"),
        ("2027-330106-04-01-123456", "时间码"),
        ("2021-990106-04-01-123456", "行政区划码"),
        ("2021-330006-04-01-123456", "行政区划码"),
    ],
)
def test_each_broken_rule_is_named(value: str, rule: str) -> None:
    with pytest.raises(project_code.InvalidProjectCode) as bad:
        project_code.validate(value, as_of=date(2026, 12, 1))
    assert bad.value.details["rule"] == f"GB/T 40058-2021 {rule}"
    assert bad.value.status == 400 and bad.value.details["field"] == "project_code"


def test_the_check_character_is_not_verified() -> None:
    assert project_code.CHECK_DIGIT_VERIFIED is False
    assert all(project_code.is_valid(f"2021-330106-04-01-12345{d}") for d in "0123456789")
