"""Tell which kind of identifier a value is.

An 18-digit string can pass both the USCC check (GB 32100, mod 31) and the resident ID check
(GB 11643: a real birth date, a province address code, mod 11-2): about one valid resident ID
number in 31 also has a correct USCC check character. Such a value is a person's ID number
unless it also looks like a real USCC: a registration authority and organisation category from
the GB 32100 code tables (``uscc.describe`` knows them), a division code (positions 3–8) in a
GB/T 2260 province (or 10, central), and an embedded organisation code (positions 9–17) that
passes GB 11714. Genuine USCCs satisfy all three; a resident ID number rarely does (well under
one in a thousand), and it is the person's number that must not be taken for a company's.

>>> classify("９１１１０１０８５５１３８５０８２Ｑ")
'uscc'
>>> classify("D2143569-X")
'org_code'
"""

from __future__ import annotations

from typing import Literal

from gongxin.ids import areas, orgcode, regno, ric, uscc
from gongxin.ids.exceptions import Kind
from gongxin.ids.normalise import normalise


def classify(value: str) -> Kind | None:
    """The kind of identifier ``value`` is once normalised, judged by full validation.

    18 characters are a USCC or a resident ID number (when both validations pass, see the
    module's docstring); 15 a registration number; 9 an organisation code. ``None`` if no
    validation passes. A USCC that is no ID number is judged leniently (its embedded
    organisation code is not checked).
    """
    code = normalise(value)
    length = len(code)
    if length == uscc.LENGTH:
        is_uscc, is_ric = uscc.is_valid(code), ric.is_valid(code)
        if is_uscc and is_ric:
            return "uscc" if looks_like_real_uscc(code) else "resident_id"
        if is_uscc:
            return "uscc"
        if is_ric:
            return "resident_id"
    elif length == regno.LENGTH:
        if regno.is_valid(code):
            return "reg_no"
    elif length == orgcode.LENGTH and orgcode.is_valid(code):
        return "org_code"
    return None


def looks_like_real_uscc(code: str) -> bool:
    """Whether a valid USCC (machine form) has a real authority and category, a division code
    in a province (or central) and a GB 11714-valid embedded organisation code."""
    category = uscc.AUTHORITIES.get(code[0], ("", {}))[1]
    return (
        code[1] in category
        and areas.is_uscc_area(code[2:8])
        and orgcode.is_valid(uscc.embedded_org_code(code))
    )


def subject_key(value: str) -> tuple[Literal["uscc", "reg_no"], str]:
    """The key a market entity is registered under: a 15-digit registration number when the
    value is 15 digits, else a USCC; returns (kind, compacted code) or raises the validator's
    error (which names the rule broken)."""
    code = uscc.compact(value)
    if len(code) == regno.LENGTH and code.isdigit():
        return "reg_no", regno.validate(code)
    return "uscc", uscc.validate(code)
