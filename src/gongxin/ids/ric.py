"""公民身份号码 (resident ID number), GB 11643-1999.

A 6-digit address code (GB/T 2260), the birth date ``YYYYMMDD``, a 3-digit order code (odd for
men, even for women) and a check character computed with ISO 7064 MOD 11-2: with weights
W_i = 2^(18−i) mod 11, r = S mod 11 maps to ``10X98765432``.

Only the province (the address code's first two digits) is checked against GB/T 2260: county
codes are retired and reissued over the years, so an unknown county is no reason to reject a
number, but a number whose first two digits are no province is not genuine. Numbers are
personal data: public pages show :func:`mask`, which reveals nothing of the number.

>>> calc_check_digit("11010519491231002")
'X'
>>> mask("11010519491231002X")
'******************'
"""

from __future__ import annotations

import datetime
from operator import getitem
from typing import Final

from gongxin.ids import areas
from gongxin.ids.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from gongxin.ids.normalise import normalise

KIND: Final = "resident_id"
STANDARD = "GB 11643-1999"
LENGTH = 18
DIGITS = "0123456789"
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
#: Check character indexed by S mod 11.
CHECK_BY_REMAINDER = "10X98765432"
#: No holder of a GB 11643 number (1999 on) was born before this: an earlier "birth date" is
#: another code's digits, not a person's.
EARLIEST_BIRTH = datetime.date(1800, 1, 1)
#: China has kept UTC+8 without daylight saving time since 1991.
CHINA_TIME = datetime.timezone(datetime.timedelta(hours=8), "CST")

#: For each of positions 1–17, digit → digit × weight. A missing key means a bad character.
_POSITION_TABLES = tuple({d: int(d) * w for d in DIGITS} for w in WEIGHTS)
_DIGIT = ("数字", "a digit")

compact = normalise


def _check_of(body: str) -> str:
    return CHECK_BY_REMAINDER[sum(map(getitem, _POSITION_TABLES, body)) % 11]


def _first_format_error(code: str) -> InvalidFormat | None:
    """An error for the first of characters 1–17 that is not a digit, if any."""
    for position, char in enumerate(code[:17], 1):
        if char not in DIGITS:
            return InvalidFormat.build(KIND, code, f"{STANDARD} 本体码", position, _DIGIT)
    return None


def calc_check_digit(body: str) -> str:
    """The check character (``0``–``9`` or ``X``) of the first 17 digits."""
    if len(body) != LENGTH - 1:
        raise InvalidLength.build(KIND, body, f"{STANDARD} 本体码长度", LENGTH - 1)
    error = _first_format_error(body)
    if error is not None:
        try:
            raise error
        finally:
            del error  # no cycle exception -> traceback -> this frame -> exception
    return _check_of(body)


def _birth_date_or_none(code: str) -> datetime.date | None:
    """The birth date of a well-formed code if it is a real date not in the future."""
    try:
        born = datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return None
    return born if EARLIEST_BIRTH <= born <= datetime.datetime.now(CHINA_TIME).date() else None


def _is_valid_compact(code: str) -> bool:
    if len(code) != LENGTH:
        return False
    try:
        total = sum(map(getitem, _POSITION_TABLES, code))
    except KeyError:
        return False
    return (
        CHECK_BY_REMAINDER[total % 11] == code[17]
        and areas.is_resident_area(code)
        and _birth_date_or_none(code) is not None
    )


def is_valid(value: str) -> bool:
    """Whether ``value`` is a valid resident ID number once normalised. Never raises."""
    return _is_valid_compact(normalise(value))


def validate(value: str) -> str:
    """The normalised resident ID number, or raise :class:`InvalidIdentifier`.

    Checks the length, the characters (digits; the last may be ``X``), that the address code
    starts with a GB/T 2260 province, that the birth date is a real date from 1800 on and not
    in the future (China time) and the check character.
    """
    code = normalise(value)
    if _is_valid_compact(code):
        return code
    if len(code) != LENGTH:
        raise InvalidLength.build(KIND, code, f"{STANDARD} 号码长度", LENGTH)
    error = _first_format_error(code)
    if error is not None:
        try:
            raise error
        finally:
            del error  # no cycle exception -> traceback -> this frame -> exception
    if code[17] not in CHECK_BY_REMAINDER:
        allowed = ("数字或 X", "a digit or X")
        raise InvalidFormat.build(KIND, code, f"{STANDARD} 校验码", LENGTH, allowed)
    if not areas.is_resident_area(code):
        raise InvalidComponent(
            f"公民身份号码第 1–2 位 {code[:2]} 不是 GB/T 2260 省级行政区划代码",
            f"resident ID number positions 1-2: {code[:2]} is no GB/T 2260 province code",
            kind=KIND,
            value=code,
            rule="GB/T 2260 省级行政区划代码",
        )
    if _birth_date_or_none(code) is None:
        raise _birth_date_error(code)
    raise InvalidChecksum.build(KIND, code, f"{STANDARD} 校验码", _check_of(code[:17]))


def _birth_date_error(code: str) -> InvalidComponent:
    text = f"{code[6:10]}-{code[10:12]}-{code[12:14]}"
    try:
        datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        zh, en = f"{text} 不是有效日期", f"{text} is not a real date"
    else:
        today = datetime.datetime.now(CHINA_TIME).date().isoformat()
        zh, en = f"{text} 晚于今天（{today}）", f"{text} is in the future (today is {today})"
        if text < EARLIEST_BIRTH.isoformat():
            zh, en = f"{text} 早于 1800 年", f"{text} is before 1800"
    rule = f"{STANDARD} 出生日期码"
    return InvalidComponent(
        f"公民身份号码第 7–14 位出生日期 {zh}",
        f"resident ID number positions 7-14: birth date {en}",
        kind=KIND,
        value=code,
        rule=rule,
    )


def format(value: str) -> str:
    """The display form of a valid resident ID number: 18 characters without separators.

    Public pages must show :func:`mask` instead.
    """
    return validate(value)


def birth_date(value: str) -> datetime.date:
    """The birth date (positions 7–14) of a valid resident ID number."""
    code = validate(value)
    return datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))


MASK = "*" * LENGTH


def mask(value: str) -> str:
    """The public form of a resident ID number: 18 asterisks, whatever the value.

    Nothing of the number is shown — not the area (region) code, not the birth date, not even
    its length — so a masked number cannot be narrowed down or matched across pages. The value
    is not validated: masking must never fail on a page.
    """
    del value  # deliberately unused: the mask depends on nothing in it
    return MASK
