"""normalise(): full-width, whitespace, dashes and case (identifiers.md section 6)."""

from __future__ import annotations

import sys

import pytest

from gongxin.ids import normalise
from gongxin.ids.normalise import DASHES, WHITESPACE


def test_full_width_becomes_half_width() -> None:
    assert normalise("９１１１０１０８５５１３８５０８２Ｑ") == "91110108551385082Q"


def test_full_width_lower_case_and_ideographic_space() -> None:
    assert normalise("\u3000９１１１０１０８５５１３８５０８２ｑ\u3000") == "91110108551385082Q"


@pytest.mark.parametrize(
    "raw",
    [
        "9 1 110000 600037341L",
        " 91110000600037341L\n",
        "9111\t0000\u00a06000\u300037341L",
        "91110000\u200b600037341L",
        "\ufeff91110000600037341L",
    ],
)
def test_all_whitespace_is_removed(raw: str) -> None:
    assert normalise(raw) == "91110000600037341L"


def test_whitespace_table_covers_every_space_character() -> None:
    spaces = {chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()}
    assert spaces == set(WHITESPACE)
    assert normalise("A" + "".join(sorted(spaces)) + "B") == "AB"


@pytest.mark.parametrize("dash", list("-‐‑‒–—－﹣−"))
def test_hyphens_and_dashes_are_removed(dash: str) -> None:
    assert normalise(f"D2143569{dash}X") == "D2143569X"
    assert dash in DASHES or normalise(dash) == ""


def test_lower_case_is_upper_cased() -> None:
    assert normalise("d2143569-x") == "D2143569X"
    assert normalise("11010519491231002x") == "11010519491231002X"


def test_letter_o_is_never_mapped_to_zero() -> None:
    assert normalise("91110108551385O82Q") == "91110108551385O82Q"
    assert normalise("ｏ") == "O"


def test_non_ascii_letters_are_not_upper_cased_into_latin() -> None:
    # str.upper() would turn the Turkish dotless i into a legal "I".
    assert normalise("D214356ı-X") == "D214356ıX"


def test_ascii_fast_path_and_unicode_path_agree() -> None:
    for raw in ["d2143569-x", " 91110000 600037341l ", "110108000000016"]:
        assert normalise(raw) == normalise(raw + "\u3000")


def test_empty_and_blank_inputs() -> None:
    assert normalise("") == ""
    assert normalise(" \u3000-\t") == ""
