"""组织机构代码 (organisation code), GB 11714-1997."""

from __future__ import annotations

import pytest

from gongxin.ids import orgcode
from gongxin.ids.exceptions import InvalidChecksum, InvalidFormat, InvalidLength


def test_worked_example() -> None:
    assert orgcode.calc_check_digit("D2143569") == "X"
    assert orgcode.validate("D2143569X") == "D2143569X"
    assert orgcode.format("D2143569X") == "D2143569-X"


@pytest.mark.parametrize(
    "raw", ["D2143569-X", "d2143569-x", "Ｄ２１４３５６９－Ｘ", " D214 3569 X "]
)
def test_display_and_pasted_forms(raw: str) -> None:
    assert orgcode.is_valid(raw)
    assert orgcode.validate(raw) == "D2143569X"


def test_letters_use_values_a10_to_z35() -> None:
    # S = 3·v(O) + 7·1 + … with O = 24, not a USCC value (O is not in that alphabet at all).
    body = "O1234567"
    total = sum(v * w for v, w in zip([24, 1, 2, 3, 4, 5, 6, 7], orgcode.WEIGHTS, strict=True))
    expected = "0123456789X"[(11 - total % 11) % 11]
    assert orgcode.calc_check_digit(body) == expected
    assert orgcode.is_valid(body + expected)


def test_remainders_zero_and_one_give_zero_and_x() -> None:
    assert orgcode.calc_check_digit("00000000") == "0"  # S mod 11 = 0: C9 = 11 → 0
    assert orgcode.calc_check_digit("D2143569") == "X"  # S mod 11 = 1: C9 = 10 → X
    assert orgcode.calc_check_digit("55138508") == "2"  # 小米's, embedded in its USCC


def test_wrong_check_character() -> None:
    assert not orgcode.is_valid("D21435691")
    with pytest.raises(InvalidChecksum) as caught:
        orgcode.validate("D2143569-1")
    assert caught.value.zh == "组织机构代码校验码错误：应为 X，实为 1"
    assert caught.value.rule == "GB 11714-1997 校验码"


def test_check_character_must_be_a_digit_or_x() -> None:
    with pytest.raises(InvalidFormat) as caught:
        orgcode.validate("D2143569A")
    assert caught.value.details["position"] == 9


def test_body_characters() -> None:
    with pytest.raises(InvalidFormat) as caught:
        orgcode.validate("D214356*X")
    assert caught.value.details["position"] == 8
    with pytest.raises(InvalidFormat):
        orgcode.calc_check_digit("D214356*")


def test_length() -> None:
    with pytest.raises(InvalidLength) as caught:
        orgcode.validate("D2143569")
    assert "应为 9 位，实为 8 位" in caught.value.zh
    with pytest.raises(InvalidLength):
        orgcode.calc_check_digit("D2143569X")
    assert not orgcode.is_valid("")
