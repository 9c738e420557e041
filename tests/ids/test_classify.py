"""classify(): which identifier a value is."""

from __future__ import annotations

import pytest

from gongxin.ids import classify


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("91110108551385082Q", "uscc"),
        ("９１１１０１０８５５１３８５０８２Ｑ", "uscc"),
        ("A1110000600037341K", "uscc"),
        ("121200004013590816", "uscc"),
        ("11010519491231002x", "resident_id"),
        ("360426199101010071", "resident_id"),
        ("110108000000016", "reg_no"),
        ("D2143569-X", "org_code"),
        ("551385082", "org_code"),
    ],
)
def test_kinds(raw: str, kind: str) -> None:
    assert classify(raw) == kind


@pytest.mark.parametrize(
    "raw",
    ["", "hello", "91350100M000100Y4Z", "110105194912310021", "110108000000017", "D21435691"],
)
def test_invalid_values_have_no_kind(raw: str) -> None:
    assert classify(raw) is None
