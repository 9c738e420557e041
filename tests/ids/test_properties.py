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

from gongxin.ids import areas, classify, orgcode, regno, ric, uscc
from gongxin.ids.classify import looks_like_real_uscc

REPLACEMENTS = string.digits + string.ascii_uppercase


def _text(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=size, max_size=size)


uscc_bodies = st.tuples(
    st.sampled_from("123456789ANY"), _text(string.digits, 7), _text(uscc.ALPHABET, 9)
).map("".join)
regno_bodies = _text(string.digits, 14)
ric_bodies = st.tuples(
    st.tuples(st.sampled_from(sorted(areas.provinces())), _text(string.digits, 4)).map("".join),
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
    if not ric.is_valid(body + check) or looks_like_real_uscc(body + check):
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


@given(ric_bodies)
def test_a_valid_resident_id_is_a_person_unless_it_is_a_real_looking_uscc(body: str) -> None:
    """About one valid ID number in 32 also passes the USCC check; it stays a person's number
    unless authority, category, province and embedded organisation code all look real."""
    code = body + ric.calc_check_digit(body)
    real = uscc.is_valid(code) and looks_like_real_uscc(code)
    assert classify(code) == ("uscc" if real else "resident_id")


@given(
    st.tuples(st.sampled_from(sorted(areas.provinces())), _text(string.digits, 4)).map("".join),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)),
)
def test_at_most_one_valid_resident_id_in_a_hundred_is_taken_for_a_uscc(
    area: str, born: datetime.date
) -> None:
    """All 1000 order codes of one area and birth date: about one in 32 passes the USCC check
    too; at most 1 % may be classified as a company (the real-looking USCCs)."""
    bodies = [f"{area}{born:%Y%m%d}{n:03d}" for n in range(1000)]
    companies = [b for b in bodies if classify(b + ric.calc_check_digit(b)) == "uscc"]
    assert len(companies) <= 10, companies


@given(
    st.sampled_from([f"{n:02d}" for n in range(100) if f"{n:02d}" not in areas.provinces()]),
    ric_bodies,
)
def test_an_area_outside_every_province_is_invalid(province: str, body: str) -> None:
    body = province + body[2:]
    code = body + ric.calc_check_digit(body)
    assert ric.is_valid(code) == (province == "83")


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
