"""统一社会信用代码 (Unified Social Credit Code, USCC), GB 32100-2015.

18 characters: registration authority (1), organisation category (1, a digit), administrative
division of the registration authority (6 digits), subject identifier (9: the GB 11714
organisation code) and the check character (1). Positions 9–18 use the 31-character alphabet
``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z); a character's value is its index there.
With W_i = 3^(i−1) mod 31, check = alphabet[(31 − S mod 31) mod 31].

Unlike ``stdnum.cn.uscc.validate``, authority codes A (military), N (agriculture) and Y (other)
are accepted. The official validity test covers only the check character, so by default an
embedded organisation code that fails GB 11714 is reported by :func:`org_code_warning` rather
than rejected; ``strict=True`` rejects it.

>>> calc_check_digit("91350100M000100Y4")
'3'
>>> describe("91110108551385082Q")
('工商（市场监管）', '企业')
"""

from __future__ import annotations

from operator import getitem
from typing import Final

from gongxin.ids import orgcode
from gongxin.ids.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)
from gongxin.ids.normalise import normalise

#: Registration authority code (position 1) → (authority, {category code (position 2): category}).
#: Source: identifiers.md section 1.6 (public copies of the GB 32100 code tables).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}
UNKNOWN_CATEGORY = "未知机构类别"

KIND: Final = "uscc"
STANDARD = "GB 32100-2015"
LENGTH = 18
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 …
DIGITS = "0123456789"

_ANY_ALPHABET = (
    "数字或除 I、O、S、V、Z 外的大写字母",
    "a digit or a capital letter except I O S V Z",
)
#: For positions 1–17: (allowed characters, part of the code, allowed characters in words).
#: A bad check character (position 18) is reported as a checksum error.
_POSITIONS = (
    ("".join(AUTHORITIES), "登记管理部门代码", ("数字 1–9 或字母 A、N、Y", "1-9, A, N or Y")),
    (DIGITS, "机构类别代码", ("数字", "a digit")),
    *[(DIGITS, "登记管理机关行政区划码", ("数字", "a digit"))] * 6,
    *[(ALPHABET, "主体标识码", _ANY_ALPHABET)] * 9,
)
#: For each of positions 1–17, character → value × weight. A missing key means a bad character.
_POSITION_TABLES = tuple(
    {c: ALPHABET.index(c) * w for c in allowed}
    for (allowed, _, _), w in zip(_POSITIONS, WEIGHTS, strict=True)
)
#: Check character indexed by S mod 31.
_CHECK_BY_REMAINDER = "".join(ALPHABET[(31 - r) % 31] for r in range(31))

compact = normalise


def _check_of(body: str) -> str:
    """The check character of a 17-character body already known to be well formed."""
    return _CHECK_BY_REMAINDER[sum(map(getitem, _POSITION_TABLES, body)) % 31]


def _is_valid_compact(code: str) -> bool:
    if len(code) != LENGTH:
        return False
    try:
        total = sum(map(getitem, _POSITION_TABLES, code))
    except KeyError:
        return False
    return _CHECK_BY_REMAINDER[total % 31] == code[17]


def _first_format_error(code: str) -> InvalidFormat | None:
    """An error for the first of characters 1–17 not allowed at its position, if any."""
    checks = zip(code, _POSITIONS, strict=False)  # the check character is not looked at
    for position, (char, (allowed, part, (zh, en))) in enumerate(checks, 1):
        if char not in allowed:
            if allowed == ALPHABET and char in "IOSVZ":
                zh, en = f"{zh}（{char} 不在代码字符集中）", f"{en} ({char} is never used)"
            rule = f"{STANDARD} {part}"
            return InvalidFormat.build(KIND, code, rule, position, (zh, en))
    return None


def calc_check_digit(body: str) -> str:
    """The check character of the first 17 characters (authority codes A, N, Y included)."""
    if len(body) != LENGTH - 1:
        raise InvalidLength.build(KIND, body, f"{STANDARD} 代码长度（不含校验码）", LENGTH - 1)
    error = _first_format_error(body)
    if error is not None:
        try:
            raise error
        finally:
            del error  # no cycle exception -> traceback -> this frame -> exception
    return _check_of(body)


def is_valid(value: str, *, strict: bool = False) -> bool:
    """Whether ``value`` is a valid USCC once normalised. Never raises."""
    code = normalise(value)
    if not _is_valid_compact(code):
        return False
    return not strict or orgcode.is_valid(code[8:17])


def validate(value: str, *, strict: bool = False) -> str:
    """The normalised USCC, or raise :class:`InvalidIdentifier` saying what is wrong.

    With ``strict=True`` the embedded organisation code (positions 9–17) must also pass
    GB 11714, else :class:`InvalidComponent`.
    """
    code = normalise(value)
    if not _is_valid_compact(code):
        error = _diagnose(code)
        suggestion = code.replace("O", "0")  # a suggestion only: never rewrite silently
        if suggestion != code and _is_valid_compact(suggestion):
            error.details["suggestion"] = suggestion
        try:
            raise error
        finally:
            del error  # no cycle exception -> traceback -> this frame -> exception
    if strict and not orgcode.is_valid(code[8:17]):
        zh, en = _org_code_problem(code)
        rule = f"{STANDARD} 主体标识码（{orgcode.STANDARD}）"
        raise InvalidComponent(zh, en, kind=KIND, value=code, rule=rule, org_code=code[8:17])
    return code


def _diagnose(code: str) -> InvalidIdentifier:
    """The error that explains why ``code`` (normalised) is not a valid USCC."""
    if len(code) != LENGTH:
        return InvalidLength.build(KIND, code, f"{STANDARD} 代码长度", LENGTH)
    error = _first_format_error(code)
    if error is not None:
        return error
    return InvalidChecksum.build(KIND, code, f"{STANDARD} 校验码", _check_of(code[:17]))


def format(value: str) -> str:
    """The display form of a valid USCC: 18 characters without separators."""
    return validate(value)


def embedded_org_code(value: str) -> str:
    """Positions 9–17 of a valid USCC: its GB 11714 organisation code (9 characters)."""
    return validate(value)[8:17]


def _org_code_problem(code: str) -> tuple[str, str]:
    try:
        orgcode.validate(code[8:17])
    except InvalidIdentifier as error:
        return (
            f"统一社会信用代码第 9–17 位（组织机构代码）不符合 {orgcode.STANDARD}：{error.zh}",
            f"USCC positions 9-17 (organisation code) fail {orgcode.STANDARD}: {error.en}",
        )
    raise AssertionError("embedded organisation code is valid")  # pragma: no cover


def org_code_warning(value: str) -> str | None:
    """A message (Chinese, English gloss) if the embedded organisation code fails GB 11714.

    The USCC itself must be valid (leniently): otherwise :class:`InvalidIdentifier` is raised.
    """
    code = validate(value)
    if orgcode.is_valid(code[8:17]):
        return None
    zh, en = _org_code_problem(code)
    return f"{zh}（{en}）"


def describe(value: str) -> tuple[str, str]:
    """(registration authority, organisation category) of a valid USCC, in Chinese.

    A category code missing from the published tables is not an error: it is described as
    :data:`UNKNOWN_CATEGORY`.
    """
    code = validate(value)
    authority, categories = AUTHORITIES[code[0]]
    return authority, categories.get(code[1], UNKNOWN_CATEGORY)
