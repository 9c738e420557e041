"""工商注册号 (15-digit business registration number), GS 15-2006.

A 6-digit code of the first registration authority, an 8-digit sequence number and one check
digit computed with ISO 7064 MOD 11,10 (the GB/T 17710 hybrid system): starting from p = 10,
for each body digit a, s = (p + a) mod 10 (0 counts as 10) and p = 2s mod 11; the check digit d
makes (p + d) mod 10 = 1.

>>> calc_check_digit("11010800000001")
'6'
"""

from __future__ import annotations

from typing import Final

from gongxin.ids.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from gongxin.ids.normalise import normalise

KIND: Final = "reg_no"
STANDARD = "GS 15-2006"
RULE_CHECK = f"{STANDARD} 校验码（ISO 7064 MOD 11,10）"
LENGTH = 15
DIGITS = "0123456789"

#: p → {digit character → next p}, for every p the algorithm can reach (1–10).
_STEP = {p: {d: 2 * ((p + int(d)) % 10 or 10) % 11 for d in DIGITS} for p in range(1, 11)}
#: p after the body → check digit.
_CHECK_BY_P = {p: str((11 - p) % 10) for p in range(1, 11)}
_DIGIT = ("数字", "a digit")

compact = normalise


def _check_of(body: str) -> str:
    """The check digit of a body already known to be digits only."""
    p = 10
    for char in body:
        p = _STEP[p][char]
    return _CHECK_BY_P[p]


def _first_format_error(code: str) -> InvalidFormat | None:
    for position, char in enumerate(code, 1):
        if char not in DIGITS:
            return InvalidFormat.build(KIND, code, f"{STANDARD} 代码字符", position, _DIGIT)
    return None


def calc_check_digit(body: str) -> str:
    """The check digit of the first 14 digits."""
    if len(body) != LENGTH - 1:
        raise InvalidLength.build(KIND, body, f"{STANDARD} 代码长度（不含校验码）", LENGTH - 1)
    error = _first_format_error(body)
    if error is not None:
        try:
            raise error
        finally:
            del error  # no cycle exception -> traceback -> this frame -> exception
    return _check_of(body)


def _is_valid_compact(code: str) -> bool:
    if len(code) != LENGTH:
        return False
    p = 10
    try:
        for char in code[:14]:
            p = _STEP[p][char]
    except KeyError:
        return False
    return _CHECK_BY_P[p] == code[14]


def is_valid(value: str) -> bool:
    """Whether ``value`` is a valid registration number once normalised. Never raises."""
    return _is_valid_compact(normalise(value))


def validate(value: str) -> str:
    """The normalised registration number, or raise :class:`InvalidIdentifier`."""
    code = normalise(value)
    if _is_valid_compact(code):
        return code
    if len(code) != LENGTH:
        raise InvalidLength.build(KIND, code, f"{STANDARD} 代码长度", LENGTH)
    error = _first_format_error(code)
    if error is not None:
        try:
            raise error
        finally:
            del error  # no cycle exception -> traceback -> this frame -> exception
    raise InvalidChecksum.build(KIND, code, RULE_CHECK, _check_of(code[:14]))


def format(value: str) -> str:
    """The display form of a valid registration number: 15 digits without separators."""
    return validate(value)
