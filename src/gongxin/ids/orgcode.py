"""组织机构代码 (organisation code), GB 11714-1997.

Eight body characters (digits or upper-case Latin letters, all 26 of them, so ``O`` is legal)
and one check character, displayed as ``XXXXXXXX-X``. Character values are 0–9 for digits and
A=10 … Z=35 for letters (not the USCC values). With weights ``3 7 9 10 5 8 4 2``,
C9 = 11 − (S mod 11), written ``X`` for 10 and ``0`` for 11.

>>> calc_check_digit("D2143569")
'X'
>>> format("d2143569x")
'D2143569-X'
"""

from __future__ import annotations

import string
from operator import getitem
from typing import Final

from gongxin.ids.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from gongxin.ids.normalise import normalise

KIND: Final = "org_code"
STANDARD = "GB 11714-1997"
LENGTH = 9
BODY_ALPHABET = string.digits + string.ascii_uppercase
CHECK_ALPHABET = "0123456789X"
WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

#: For each body position, character → value × weight. A missing key means a bad character.
_POSITION_TABLES = tuple({c: i * w for i, c in enumerate(BODY_ALPHABET)} for w in WEIGHTS)
#: Check character indexed by S mod 11.
_CHECK_BY_REMAINDER = "".join(CHECK_ALPHABET[(11 - r) % 11] for r in range(11))
_BODY_ALLOWED = ("数字或大写拉丁字母", "a digit or an upper-case Latin letter")

compact = normalise


def _check_of(body: str) -> str:
    """The check character of an 8-character body already known to use the body alphabet."""
    return _CHECK_BY_REMAINDER[sum(map(getitem, _POSITION_TABLES, body)) % 11]


def calc_check_digit(body: str) -> str:
    """The check character (``0``–``9`` or ``X``) of an 8-character body."""
    if len(body) != LENGTH - 1:
        raise InvalidLength.build(KIND, body, f"{STANDARD} 本体代码长度", LENGTH - 1)
    for position, char in enumerate(body, 1):
        if char not in _POSITION_TABLES[0]:
            raise InvalidFormat.build(KIND, body, f"{STANDARD} 本体代码", position, _BODY_ALLOWED)
    return _check_of(body)


def _is_valid_compact(code: str) -> bool:
    if len(code) != LENGTH:
        return False
    try:
        total = sum(map(getitem, _POSITION_TABLES, code))
    except KeyError:
        return False
    return _CHECK_BY_REMAINDER[total % 11] == code[8]


def is_valid(value: str) -> bool:
    """Whether ``value`` is a valid organisation code once normalised. Never raises."""
    return _is_valid_compact(normalise(value))


def validate(value: str) -> str:
    """The normalised organisation code (no hyphen), or raise :class:`InvalidIdentifier`."""
    code = normalise(value)
    if _is_valid_compact(code):
        return code
    if len(code) != LENGTH:
        raise InvalidLength.build(KIND, code, f"{STANDARD} 代码长度", LENGTH)
    for position, char in enumerate(code[:8], 1):
        if char not in _POSITION_TABLES[0]:
            raise InvalidFormat.build(KIND, code, f"{STANDARD} 本体代码", position, _BODY_ALLOWED)
    if code[8] not in CHECK_ALPHABET:
        allowed = ("数字或 X", "a digit or X")
        raise InvalidFormat.build(KIND, code, f"{STANDARD} 校验码", LENGTH, allowed)
    raise InvalidChecksum.build(KIND, code, f"{STANDARD} 校验码", _check_of(code[:8]))


def format(value: str) -> str:
    """The display form ``XXXXXXXX-X`` of a valid organisation code."""
    code = validate(value)
    return f"{code[:8]}-{code[8]}"
