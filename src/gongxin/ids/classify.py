"""Tell which kind of identifier a value is.

>>> classify("９１１１０１０８５５１３８５０８２Ｑ")
'uscc'
>>> classify("D2143569-X")
'org_code'
"""

from __future__ import annotations

from typing import Literal

from gongxin.ids import orgcode, regno, ric, uscc
from gongxin.ids.exceptions import Kind
from gongxin.ids.normalise import normalise


def classify(value: str) -> Kind | None:
    """The kind of identifier ``value`` is once normalised, judged by full validation.

    18 characters are tried as a USCC, then as a resident ID number; 15 as a registration
    number; 9 as an organisation code. ``None`` if no validation passes. The USCC is judged
    leniently (its embedded organisation code is not checked).
    """
    code = normalise(value)
    length = len(code)
    if length == uscc.LENGTH:
        if uscc.is_valid(code):
            return "uscc"
        if ric.is_valid(code):
            return "resident_id"
    elif length == regno.LENGTH:
        if regno.is_valid(code):
            return "reg_no"
    elif length == orgcode.LENGTH and orgcode.is_valid(code):
        return "org_code"
    return None


def subject_key(value: str) -> tuple[Literal["uscc", "reg_no"], str]:
    """The key a market entity is registered under: a 15-digit registration number when the
    value is 15 digits, else a USCC; returns (kind, compacted code) or raises the validator's
    error (which names the rule broken)."""
    code = uscc.compact(value)
    if len(code) == regno.LENGTH and code.isdigit():
        return "reg_no", regno.validate(code)
    return "uscc", uscc.validate(code)
