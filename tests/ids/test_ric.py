"""公民身份号码 (resident ID number), GB 11643-1999."""

from __future__ import annotations

import datetime

import pytest

from gongxin.ids import ric
from gongxin.ids.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

VALID = ["11010519491231002X", "360426199101010071", "44011320141005001X"]


def test_weights() -> None:
    assert ric.WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def test_worked_example() -> None:
    assert ric.calc_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize("code", VALID)
def test_valid_vectors(code: str) -> None:
    assert ric.is_valid(code)
    assert ric.validate(code.lower()) == code


def test_birth_date() -> None:
    assert ric.birth_date("11010519491231002X") == datetime.date(1949, 12, 31)
    assert ric.birth_date("44011320141005001x") == datetime.date(2014, 10, 5)


def test_mask_shows_nothing_of_the_number() -> None:
    """No region, no birth date, not even the length: every mask is 18 asterisks."""
    for value in ("11010519491231002X", "1101 0519 4912 3100 2x", "360426199101010071"):
        assert ric.mask(value) == "*" * 18
    assert ric.mask("110105194912") == "*" * 18
    assert ric.mask("") == "*" * 18


def test_unknown_county_is_not_an_error() -> None:
    body = "11999919491231002"  # 北京 (11), a county code that does not exist
    code = body + ric.calc_check_digit(body)
    assert ric.is_valid(code)


@pytest.mark.parametrize("province", ["00", "10", "20", "39", "66", "72", "90", "99"])
def test_an_area_code_outside_every_province_is_rejected(province: str) -> None:
    body = f"{province}010519491231002"
    code = body + ric.calc_check_digit(body)
    assert not ric.is_valid(code)
    with pytest.raises(InvalidComponent) as caught:
        ric.validate(code)
    assert f"{province} 不是 GB/T 2260 省级行政区划代码" in caught.value.zh
    assert caught.value.rule == "GB/T 2260 省级行政区划代码"


@pytest.mark.parametrize("province", ["11", "46", "50", "65", "71", "81", "82", "83"])
def test_every_province_and_the_taiwan_permit_code_are_accepted(province: str) -> None:
    body = f"{province}010519491231002"
    assert ric.is_valid(body + ric.calc_check_digit(body))


def test_wrong_check_character() -> None:
    with pytest.raises(InvalidChecksum) as caught:
        ric.validate("110105194912310021")
    assert caught.value.zh == "公民身份号码校验码错误：应为 X，实为 1"
    assert caught.value.rule == "GB 11643-1999 校验码"


def test_impossible_birth_date() -> None:
    body = "11010519490230002"  # 30 February
    code = body + ric.calc_check_digit(body)
    assert not ric.is_valid(code)
    with pytest.raises(InvalidComponent) as caught:
        ric.validate(code)
    assert "1949-02-30 不是有效日期" in caught.value.zh
    assert "not a real date" in caught.value.en


def test_birth_date_in_the_future() -> None:
    china_today = datetime.datetime.now(ric.CHINA_TIME).date()
    tomorrow = china_today + datetime.timedelta(days=1)
    body = f"110105{tomorrow:%Y%m%d}002"
    code = body + ric.calc_check_digit(body)
    assert not ric.is_valid(code)
    with pytest.raises(InvalidComponent) as caught:
        ric.validate(code)
    assert "晚于今天" in caught.value.zh and "in the future" in caught.value.en
    today_body = f"110105{china_today:%Y%m%d}002"
    assert ric.is_valid(today_body + ric.calc_check_digit(today_body))


def test_x_only_in_last_position() -> None:
    with pytest.raises(InvalidFormat) as caught:
        ric.validate("1101051949123100X2")
    assert caught.value.details["position"] == 17
    with pytest.raises(InvalidFormat) as caught:
        ric.validate("11010519491231002A")
    assert caught.value.details["position"] == 18


def test_length() -> None:
    with pytest.raises(InvalidLength) as caught:
        ric.validate("110105491231002")  # a first-generation 15-digit number
    assert "应为 18 位，实为 15 位" in caught.value.zh


def test_errors_do_not_leak_the_number() -> None:
    with pytest.raises(InvalidChecksum) as caught:
        ric.validate("110105194912310021")
    error = caught.value
    assert error.value == "110105194912310021"
    assert error.details["value"] == "*" * 18
    assert "110105194912310021" not in str(error)
    assert "110105194912310021" not in repr(error.to_dict())


def test_a_birth_date_before_1800_is_no_persons() -> None:
    """Digits of some other code read as a date (year 0808) make no resident ID number."""
    for born in ("17991231", "08080101"):
        body = f"110105{born}002"
        code = body + ric.calc_check_digit(body)
        assert not ric.is_valid(code)
        with pytest.raises(InvalidComponent) as caught:
            ric.validate(code)
        assert "早于 1800 年" in caught.value.zh and "before 1800" in caught.value.en
    body = "11010518000101002"
    assert ric.is_valid(body + ric.calc_check_digit(body))
