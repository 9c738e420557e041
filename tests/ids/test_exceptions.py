"""Errors: hierarchy, attributes, and bilingual messages naming the rule."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from typing import Any

import pytest

from gongxin.errors import GongxinError, InvalidInput
from gongxin.ids import orgcode, regno, ric, uscc
from gongxin.ids.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
STANDARDS = {
    "uscc": "GB 32100-2015",
    "org_code": "GB 11714-1997",
    "reg_no": "GS 15-2006",
    "resident_id": "GB 11643-1999",
}

BAD: list[tuple[Callable[[str], str], str, type[InvalidIdentifier]]] = [
    (uscc.validate, "9135010", InvalidLength),
    (uscc.validate, "Z1350100M000100Y43", InvalidFormat),
    (uscc.validate, "91350100M000100Y4Z", InvalidChecksum),
    (orgcode.validate, "D21435", InvalidLength),
    (orgcode.validate, "D2143569?", InvalidFormat),
    (orgcode.validate, "D21435698", InvalidChecksum),
    (regno.validate, "1101080000000", InvalidLength),
    (regno.validate, "11010800000001A", InvalidFormat),
    (regno.validate, "110108000000010", InvalidChecksum),
    (ric.validate, "1101051949", InvalidLength),
    (ric.validate, "11010519491231002Y", InvalidFormat),
    (ric.validate, "110105194913310021", InvalidComponent),
    (ric.validate, "110105194912310021", InvalidChecksum),
]


def test_hierarchy() -> None:
    for cls in (InvalidLength, InvalidFormat, InvalidChecksum, InvalidComponent):
        assert issubclass(cls, InvalidIdentifier)
    assert issubclass(InvalidIdentifier, InvalidInput)
    assert issubclass(InvalidIdentifier, GongxinError)


@pytest.mark.parametrize(("check", "raw", "expected"), BAD)
def test_errors_are_specific_bilingual_and_name_the_rule(
    check: Callable[[str], str], raw: str, expected: type[InvalidIdentifier]
) -> None:
    with pytest.raises(expected) as caught:
        check(raw)
    error = caught.value
    assert type(error) is expected
    assert error.value == raw
    assert error.rule.startswith(STANDARDS[error.kind])
    assert CJK.search(error.zh)
    assert error.en.isascii() and re.search(r"[a-z]{4}", error.en)
    assert error.zh in error.message and error.en in error.message
    assert error.rule in error.message and error.rule in str(error)
    assert error.status == 400
    payload = error.to_dict()
    assert payload["error"] == error.code != "invalid_input"
    assert payload["details"]["rule"] == error.rule
    assert payload["details"]["kind"] == error.kind


def test_kind_names_every_module() -> None:
    kinds = set()
    for check, raw, _ in BAD:
        with pytest.raises(InvalidIdentifier) as caught:
            check(raw)
        kinds.add(caught.value.kind)
    assert kinds == set(STANDARDS)


@pytest.mark.parametrize(
    ("validate", "bad"),
    [
        (uscc.validate, "9111010"),  # too short
        (uscc.validate, "91110108MA01ABCD2I"),  # a character never used
        (uscc.validate, "91110108MA01ABCD2X"[:-1] + "0"),  # a wrong check character
        (regno.validate, "11010800000000A"),
        (ric.validate, "1101011990030712"),
        (orgcode.validate, "12345"),
    ],
)
def test_a_refused_identifier_leaves_no_cycle_behind(validate: Any, bad: str) -> None:
    """Intake pauses the cyclic collector while rows stream through; an error that kept its own
    frame alive (error -> traceback -> frame -> error) held every row of its batch until the end:
    300,000 registration rows grew to 3 GB, each investor named, not coded, raising one."""
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):
            with pytest.raises(InvalidIdentifier):
                validate(bad)
    finally:
        gc.enable()
    assert gc.collect() == 0
