"""Highlighting the searched keywords in a name as shown: the name is compared character by
character in the search's normalised form (full-width as half-width, one kind of bracket,
upper case), with spaces, and brackets when a keyword has none, left out."""

from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")"})


def _folded(name: str, *, brackets: bool) -> tuple[str, list[int]]:
    """The name's comparable characters and, for each, its index in ``name``."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(name):
        folded = unicodedata.normalize("NFKC", ch).translate(_BRACKETS).upper()
        for f in folded:
            if f.isspace() or (not brackets and f in "()"):
                continue
            chars.append(f)
            where.append(i)
    return "".join(chars), where


def marked(name: str, keywords: tuple[str, ...] | list[str]) -> Markup:
    """``name`` escaped, each occurrence of a keyword wrapped in ``<mark>``."""
    hit = [False] * len(name)
    for word in keywords:
        keep = "(" in word or ")" in word
        target = word if keep else word.replace("(", "").replace(")", "")
        if not target:
            continue
        text, where = _folded(name, brackets=keep)
        start = text.find(target)
        while start >= 0:
            for k in range(start, start + len(target)):
                hit[where[k]] = True
            start = text.find(target, start + 1)
    out: list[str] = []
    i = 0
    while i < len(name):
        j = i
        while j < len(name) and hit[j] == hit[i]:
            j += 1
        part = str(escape(name[i:j]))
        out.append(f"<mark>{part}</mark>" if hit[i] else part)
        i = j
    return Markup("".join(out))  # every part escaped above
