"""Normalising entity names so that spelling variants compare equal."""

from __future__ import annotations

import unicodedata

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")"})


# Spellings of the same legal form: the search key uses the last one.
LEGAL_FORMS = (("有限责任公司", "有限公司"),)


def normalise_name(name: str) -> str:
    """The comparable form of an entity name: NFKC (full-width → half-width), no whitespace,
    one kind of bracket, upper-case Latin, one spelling of the legal form.

    >>> normalise_name("北京 某某（集团）有限责任公司 ")
    '北京某某(集团)有限公司'
    """
    text = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    text = "".join(text.split()).upper()
    for variant, canonical in LEGAL_FORMS:
        text = text.replace(variant, canonical)
    return text
