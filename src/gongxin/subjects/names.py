"""Normalising entity names so that spelling variants compare equal."""

from __future__ import annotations

import unicodedata

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")"})


def normalise_name(name: str) -> str:
    """NFKC (full-width → half-width), no whitespace, one kind of bracket, upper-case Latin.

    >>> normalise_name("北京 某某（集团）有限公司 ")
    '北京某某(集团)有限公司'
    """
    text = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    return "".join(text.split()).upper()
