"""Property tests: computed check characters validate; any single substitution is caught.

MOD 31 (USCC), ISO 7064 MOD 11,10 (registration number) and MOD 11-2 (resident ID) detect every
single-character substitution. GB 11714 does not (letters 11 apart, such as D and O, collide),
so for organisation codes only digit substitutions are guaranteed.
"""

from __future__ import annotations

import datetime
import string

from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_11_10

from gongxin.ids import classify, orgcode, regno, ric, uscc

REPLACEMENTS = string.digits + string.ascii_uppercase


def _text(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=size, max_size=size)


uscc_bodies = st.tuples(
    st.sampled_from("123456789ANY"), _text(string.digits, 7), _text(uscc.ALPHABET, 9)
).map("".join)
regno_bodies = _text(string.digits, 14)
ric_bodies = st.tuples(
    _text(string.digits, 6),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)),
    _text(string.digits, 3),
).map(lambda parts: f"{parts[0]}{parts[1]:%Y%m%d}{parts[2]}")
orgcode_bodies = _text(orgcode.BODY_ALPHABET, 8)


def _substitute(data: st.DataObject, code: str, alphabet: str = REPLACEMENTS) -> str:
    position = data.draw(st.integers(0, len(code) - 1), label="position")
    char = data.draw(st.sampled_from(alphabet).filter(lambda c: c != code[position]))
    return code[:position] + char + code[position + 1 :]


@given(uscc_bodies)
def test_uscc_check_character_validates_and_agrees_with_stdnum(body: str) -> None:
    check = uscc.calc_check_digit(body)
    assert check == stdnum_uscc.calc_check_digit(body)
    assert uscc.is_valid(body + check)
    assert uscc.validate((body + check).lower()) == body + check
    assert classify(body + check) == "uscc"


@given(uscc_bodies, st.data())
def test_uscc_single_substitution_is_caught(body: str, data: st.DataObject) -> None:
    changed = _substitute(data, body + uscc.calc_check_digit(body))
    assert not uscc.is_valid(changed)


@given(regno_bodies)
def test_regno_check_digit_validates_and_agrees_with_stdnum(body: str) -> None:
    check = regno.calc_check_digit(body)
    assert check == mod_11_10.calc_check_digit(body)
    assert regno.is_valid(body + check)


@given(regno_bodies, st.data())
def test_regno_single_substitution_is_caught(body: str, data: st.DataObject) -> None:
    changed = _substitute(data, body + regno.calc_check_digit(body))
    assert not regno.is_valid(changed)


@given(ric_bodies)
def test_ric_check_character_validates_and_agrees_with_stdnum(body: str) -> None:
    check = ric.calc_check_digit(body)
    assert check == stdnum_ric.calc_check_digit(body + "?")
    assert ric.is_valid(body + check)
    assert ric.birth_date(body + check).strftime("%Y%m%d") == body[6:14]


@given(ric_bodies, st.data())
def test_ric_single_substitution_is_caught(body: str, data: st.DataObject) -> None:
    changed = _substitute(data, body + ric.calc_check_digit(body))
    assert not ric.is_valid(changed)


@given(orgcode_bodies, st.data())
def test_orgcode_single_digit_substitution_is_caught(body: str, data: st.DataObject) -> None:
    code = body + orgcode.calc_check_digit(body)
    assert orgcode.is_valid(code)
    digits = [i for i, c in enumerate(code) if c.isdigit()]
    if digits:
        position = data.draw(st.sampled_from(digits))
        char = data.draw(st.sampled_from(string.digits).filter(lambda c: c != code[position]))
        assert not orgcode.is_valid(code[:position] + char + code[position + 1 :])
