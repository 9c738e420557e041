"""项目代码 (investment project code), GB/T 40058-2021 《全国固定资产投资项目代码编码规范》.

24 characters in five segments joined by "-": ``YYYY-RRRRRR-DD-TT-NNNNNC`` — a 4-digit time
code (the year the code was given), a 6-digit GB/T 2260 region code, a 2-digit code of the
central department guiding the business, a 2-digit project-type code, and 5 random digits
followed by one check character.

What is checked: the layout (lengths, hyphens, digits), the year (not before 2017, when
国务院令第673号 made the online platform's code compulsory, and not after ``as_of``), and the
region (its first two digits a GB/T 2260 province; a county part only under a city part).
What is NOT checked: the check character. The algorithm of GB/T 40058-2021 was not available
to this project (shared/domain/parallel_approval.md §2.3 marks it unread), so it is not
guessed; any digit is accepted there. :func:`segments` gives the parts to store separately.

>>> validate("2021-330106-04-01-12345X")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gongxin.ids.project_code.InvalidProjectCode: ...
>>> segments(validate("2021-330106-04-01-123456"))["region"]
'330106'
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from gongxin.errors import InvalidInput
from gongxin.ids import areas

STANDARD: Final = "GB/T 40058-2021"
LENGTH: Final = 24
FIRST_YEAR: Final = 2017  # 国务院令第673号 effective 2017-02-01
_LAYOUT = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{5})(\d)$")
CHECK_DIGIT_VERIFIED: Final = False  # the check character's algorithm is not implemented


class InvalidProjectCode(InvalidInput):
    code = "invalid_project_code"


def compact(value: str) -> str:
    """Spaces dropped, full-width digits and hyphens made ASCII, upper case."""
    table = {0xFF10 + n: 0x30 + n for n in range(10)} | {0xFF0D: 0x2D, 0x2014: 0x2D}
    return "".join(value.translate(table).split()).upper()


def _fail(code: str, zh: str, en: str, rule: str) -> InvalidProjectCode:
    return InvalidProjectCode(
        f"项目代码“{code[:40]}”{zh}",
        f"project code {code[:40]!r}: {en}",
        field="project_code",
        value=code[:40],
        rule=f"{STANDARD} {rule}",
    )


def validate(value: str, *, as_of: date | None = None) -> str:
    """The code in its compact form, or :class:`InvalidProjectCode` naming the broken rule."""
    code = compact(value)
    if len(code) != LENGTH:
        raise _fail(
            code,
            f"长度应为 {LENGTH} 位（含连字符），实为 {len(code)} 位",
            f"must be {LENGTH} characters with hyphens, got {len(code)}",
            "代码长度",
        )
    found = _LAYOUT.match(code)
    if found is None:
        raise _fail(
            code,
            "格式应为“年份4位-行政区划6位-行业部门2位-项目类型2位-流水号5位加校验位1位”",
            "layout must be YYYY-RRRRRR-DD-TT-NNNNNC (digits, 5 segments)",
            "代码结构",
        )
    year, region = int(found.group(1)), found.group(2)
    last = as_of.year if as_of else None
    if year < FIRST_YEAR or (last is not None and year > last):
        upper = f"至 {last} 年" if last else ""
        raise _fail(
            code,
            f"赋码年份 {year} 不在 {FIRST_YEAR} 年{upper}之间",
            f"year {year} is out of range ({FIRST_YEAR}–{last or ''})",
            "时间码",
        )
    if areas.province_of(region) is None:
        raise _fail(
            code,
            f"行政区划代码 {region} 的前两位不是 GB/T 2260 的省级代码",
            f"region {region} does not start with a GB/T 2260 province",
            "行政区划码",
        )
    if region[2:4] == "00" and region[4:] != "00":
        raise _fail(
            code,
            f"行政区划代码 {region} 有区县而无地市",
            f"region {region} has a county part under no city",
            "行政区划码",
        )
    return code


def is_valid(value: str, *, as_of: date | None = None) -> bool:
    try:
        validate(value, as_of=as_of)
    except InvalidProjectCode:
        return False
    return True


def segments(code: str) -> dict[str, str]:
    """The five parts of a valid code (the last split into random digits and check)."""
    year, region, sector, kind, tail = code.split("-")
    return {
        "year": year,
        "region": region,
        "sector": sector,
        "type": kind,
        "serial": tail[:5],
        "check": tail[5],
    }
