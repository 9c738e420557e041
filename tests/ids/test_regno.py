"""15-digit 工商注册号 (registration number), GS 15-2006, ISO 7064 MOD 11,10."""

from __future__ import annotations

import pytest

from gongxin.ids import regno
from gongxin.ids.exceptions import InvalidChecksum, InvalidFormat, InvalidLength


def test_worked_example() -> None:
    assert regno.calc_check_digit("11010800000001") == "6"
    assert regno.is_valid("110108000000016")
    assert regno.validate("110-108-000-000-016") == "110108000000016"
    assert regno.format("110108 00000001 6") == "110108000000016"


def test_wrong_check_digit() -> None:
    assert not regno.is_valid("110108000000017")
    with pytest.raises(InvalidChecksum) as caught:
        regno.validate("110108000000017")
    assert caught.value.zh == "工商注册号校验码错误：应为 6，实为 7"
    assert "ISO 7064 MOD 11,10" in caught.value.rule and "GS 15-2006" in caught.value.rule


def test_letters_are_rejected() -> None:
    assert not regno.is_valid("11010800000O016")
    with pytest.raises(InvalidFormat) as caught:
        regno.validate("11010800000O016")
    assert caught.value.details["position"] == 12


def test_length() -> None:
    with pytest.raises(InvalidLength) as caught:
        regno.validate("11010800000001")
    assert "应为 15 位，实为 14 位" in caught.value.zh
    with pytest.raises(InvalidLength):
        regno.calc_check_digit("110108000000016")
