"""统一社会信用代码 (USCC), GB 32100-2015: worked examples, test vectors and real codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from stdnum.cn import uscc as stdnum_uscc

from gongxin.ids import orgcode, uscc
from gongxin.ids.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)

VALID = [
    "91350100M000100Y43",  # the standard's example
    "91110108551385082Q",  # 小米科技有限责任公司
    "91110000600037341L",
    "121200004013590816",
    "53640000MJX173680A",
    "A1110000600037341K",  # authority A: python-stdnum rejects it
    "N21100006000373414",  # authority N: python-stdnum rejects it
]
#: (code, expected check character)
WRONG_CHECK = [
    ("91350100M000100Y4Z", "3"),
    ("91110000600037341N", "L"),
    ("A1110000600037341L", "K"),
    ("N2110000600037341L", "4"),
]


def test_weights_match_the_standard() -> None:
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize(
    ("body", "check"),
    [("91350100M000100Y4", "3"), ("91110108551385082", "Q"), ("91110000600037341", "L")],
)
def test_worked_examples(body: str, check: str) -> None:
    assert uscc.calc_check_digit(body) == check


@pytest.mark.parametrize("code", VALID)
def test_valid_vectors(code: str) -> None:
    assert uscc.is_valid(code)
    assert uscc.validate(code) == code


@pytest.mark.parametrize(("code", "expected"), WRONG_CHECK)
def test_invalid_vectors_name_the_right_check_character(code: str, expected: str) -> None:
    assert not uscc.is_valid(code)
    with pytest.raises(InvalidChecksum) as caught:
        uscc.validate(code)
    error = caught.value
    assert (error.kind, error.value, error.rule) == ("uscc", code, "GB 32100-2015 校验码")
    assert error.zh == f"统一社会信用代码校验码错误：应为 {expected}，实为 {code[-1]}"
    assert error.en == f"USCC check character is wrong: expected {expected}, got {code[-1]}"


def test_authority_codes_a_n_y_are_accepted_unlike_stdnum() -> None:
    for code in ["A1110000600037341K", "N21100006000373414"]:
        assert not stdnum_uscc.is_valid(code)  # the pitfall of identifiers.md 5.1
        assert uscc.is_valid(code)
    body = "Y1110000600037341"
    assert uscc.is_valid(body + uscc.calc_check_digit(body))


def test_every_real_code_is_valid(real_data: Path) -> None:
    codes = (real_data / "uscc-testvectors" / "valid.txt").read_text("utf-8").split()
    assert len(codes) > 300
    assert [code for code in codes if not uscc.is_valid(code)] == []
    assert [code for code in codes if not uscc.is_valid(code, strict=True)] == []


@pytest.mark.parametrize(
    "raw",
    [
        "９１１１０１０８５５１３８５０８２Ｑ",
        "9111 0108 5513 8508 2Q",
        "911101085-51385082-Q",
        "91110108551385082q",
        "\u300091110108551385082Q\n",
    ],
)
def test_pasted_forms_are_normalised(raw: str) -> None:
    assert uscc.validate(raw) == "91110108551385082Q"
    assert uscc.compact(raw) == "91110108551385082Q"
    assert uscc.format(raw) == "91110108551385082Q"


def test_remainder_zero_gives_check_zero() -> None:
    # The pitfall of section 1.5: S mod 31 = 0 must give "0", not index 31.
    bodies = [f"9111000060003734{c}" for c in uscc.ALPHABET]
    zero = [
        b
        for b in bodies
        if sum(uscc.ALPHABET.index(c) * w for c, w in zip(b, uscc.WEIGHTS, strict=True)) % 31 == 0
    ]
    assert len(zero) == 1
    assert uscc.calc_check_digit(zero[0]) == "0"
    assert uscc.is_valid(zero[0] + "0")


@pytest.mark.parametrize(
    ("code", "position", "rule"),
    [
        ("B1110000600037341L", 1, "GB 32100-2015 登记管理部门代码"),
        ("9A1100006000373411", 2, "GB 32100-2015 机构类别代码"),
        ("91110A00600037341L", 6, "GB 32100-2015 登记管理机关行政区划码"),
        ("911100006000373I1L", 16, "GB 32100-2015 主体标识码"),
    ],
)
def test_format_errors_name_the_position(code: str, position: int, rule: str) -> None:
    assert not uscc.is_valid(code)
    with pytest.raises(InvalidFormat) as caught:
        uscc.validate(code)
    error = caught.value
    assert error.rule == rule
    assert f"第 {position} 位字符“{code[position - 1]}”" in error.zh
    assert f"character {position} ({code[position - 1]!r})" in error.en
    assert error.details["position"] == position


def test_letter_o_is_rejected_with_a_suggestion_but_not_rewritten() -> None:
    with pytest.raises(InvalidFormat) as caught:
        uscc.validate("91110108551385O82Q")
    assert caught.value.value == "91110108551385O82Q"
    assert "O 不在代码字符集中" in caught.value.zh
    assert caught.value.details["suggestion"] == "91110108551385082Q"


def test_wrong_length_says_what_was_expected_and_found() -> None:
    with pytest.raises(InvalidLength) as caught:
        uscc.validate("9111010855138508")
    assert caught.value.zh == "统一社会信用代码长度错误：应为 18 位，实为 16 位"
    assert "expected 18 characters, got 16" in caught.value.en
    with pytest.raises(InvalidLength):
        uscc.calc_check_digit("91110108551385082Q")


def test_calc_check_digit_rejects_bad_characters() -> None:
    with pytest.raises(InvalidFormat):
        uscc.calc_check_digit("91110108551385O82")


def _with_bad_org_code() -> str:
    body = "91110000" + "55138508" + "3"  # the GB 11714 check of 55138508 is 2
    return body + uscc.calc_check_digit(body)


def test_embedded_org_code() -> None:
    assert uscc.embedded_org_code("91110108551385082Q") == "551385082"
    assert orgcode.format(uscc.embedded_org_code("91110108551385082Q")) == "55138508-2"


def test_bad_embedded_org_code_is_a_warning_when_lenient_and_an_error_when_strict() -> None:
    code = _with_bad_org_code()
    assert uscc.is_valid(code)
    assert uscc.validate(code) == code
    assert not uscc.is_valid(code, strict=True)
    with pytest.raises(InvalidComponent) as caught:
        uscc.validate(code, strict=True)
    assert "GB 11714" in caught.value.rule
    assert "应为 2，实为 3" in caught.value.zh
    warning = uscc.org_code_warning(code)
    assert warning is not None
    assert "组织机构代码" in warning and "organisation code" in warning and "GB 11714" in warning


def test_no_warning_for_a_good_embedded_org_code() -> None:
    assert uscc.org_code_warning("91110108551385082Q") is None
    assert uscc.validate("91110108551385082Q", strict=True) == "91110108551385082Q"


def test_org_code_warning_rejects_an_invalid_uscc() -> None:
    with pytest.raises(InvalidIdentifier):
        uscc.org_code_warning("91350100M000100Y4Z")


@pytest.mark.parametrize(
    ("code", "described"),
    [
        ("91110108551385082Q", ("工商（市场监管）", "企业")),
        ("121200004013590816", ("机构编制", "事业单位")),
        ("53640000MJX173680A", ("民政", "基金会")),
        ("A1110000600037341K", ("中央军委改革和编制办公室", "军队事业单位")),
        ("N21100006000373414", ("农业", "村级集体经济组织")),
    ],
)
def test_describe(code: str, described: tuple[str, str]) -> None:
    assert uscc.describe(code) == described


def test_unknown_category_is_not_an_error() -> None:
    body = "97110108551385082"
    code = body + uscc.calc_check_digit(body)
    assert uscc.is_valid(code)
    assert uscc.describe(code) == ("工商（市场监管）", uscc.UNKNOWN_CATEGORY)


def test_authority_table_matches_the_allowed_first_characters() -> None:
    assert set(uscc.AUTHORITIES) == set("123456789ANY")
