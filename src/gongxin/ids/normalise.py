"""Normalisation of identifiers before validation (identifiers.md section 6).

Codes copied from Chinese documents arrive with full-width characters (``９１１１…Ｑ``), the
ideographic space U+3000, spaces inside the code, display hyphens (``D2143569-X``) and lower case.
:func:`normalise` turns all of these into the machine form: NFKC, no whitespace, no dashes,
upper case. It never maps the letter O to the digit 0 (O is legal in a GB 11714 organisation
code); offering that correction is the caller's business.

:func:`normalise` runs millions of times during intake, so the common case (a pure ASCII string)
takes a fast path that needs no Unicode normalisation.
"""

from __future__ import annotations

import unicodedata

#: Every character for which ``str.isspace()`` is true (``str.split()`` splits on these).
WHITESPACE = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

#: Invisible characters that creep in through copy and paste: zero-width space, joiners, word
#: joiner, byte-order mark and soft hyphen.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\xad"

#: Hyphens and dash-like characters, including the full-width and small forms.
DASHES = (
    "-\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212"
    "\u2e17\u2e1a\u2e3a\u2e3b\u2e40\ufe31\ufe32\ufe58\ufe63\uff0d"
)

_TABLE: dict[int, str | None] = {ord(c): None for c in WHITESPACE + INVISIBLE + DASHES}
_TABLE.update({ord(c): c.upper() for c in "abcdefghijklmnopqrstuvwxyz"})


def normalise(value: str) -> str:
    """The machine form of an identifier: NFKC, whitespace and dashes removed, upper case.

    >>> normalise("９１１１０１０８５５１３８５０８２ｑ")
    '91110108551385082Q'
    >>> normalise(" d2143569-x ")
    'D2143569X'
    """
    if value.isascii():
        if value.isalnum():  # the usual case: nothing to remove
            return value.upper()
        return value.translate(_TABLE)
    # Only ASCII letters are upper-cased: str.upper() would turn the dotless "ı" into a legal "I".
    return unicodedata.normalize("NFKC", value).translate(_TABLE)
