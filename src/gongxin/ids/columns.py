"""Identifiers checked as whole columns: an Arrow array of texts in, a boolean mask out.

The same rules as ``uscc.is_valid`` and ``ric`` (one code at a time, in Python), applied to a
million codes at once: the texts of the right length are gathered into a matrix of bytes (one
row per code), and the weighted sums are taken two characters at a time from per-position
tables. No Python runs per code. A text is judged exactly as given: no trimming,
no case folding (callers normalise first, for the rows that need it).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from gongxin.ids import areas, ric, uscc

Mask = npt.NDArray[np.bool_]
Bytes = npt.NDArray[np.uint8]

# Unicode space separators (category Zs): what SQL ``trim`` (DuckDB) strips from both ends
SPACES = (
    "\u0020\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)


def _table(chars: str, values: str | None = None) -> npt.NDArray[np.int8]:
    """A 256-entry lookup: byte → index of the character in ``values`` (default ``chars``)
    for the bytes of ``chars``, −1 for every other byte."""
    out = np.full(256, -1, dtype=np.int8)
    for c in chars:
        out[ord(c)] = (values or chars).index(c)
    return out


_DIGIT = _table(uscc.DIGITS)
_USCC_CHECK = np.frombuffer(
    "".join(uscc.ALPHABET[(31 - r) % 31] for r in range(31)).encode(), dtype=np.uint8
)
_RIC_WEIGHTS = np.array(ric.WEIGHTS, dtype=np.int32)
_RIC_CHECK = np.frombuffer(ric.CHECK_BY_REMAINDER.encode(), dtype=np.uint8)
_RIC_AREA = np.zeros(100, dtype=np.bool_)
_RIC_AREA[[int(p) for p in areas.resident_id_prefixes()]] = True
_MONTH_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as one contiguous UTF-8 array (``large_string`` when it is too large)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = pc.cast(values, pa.string())
    return values


def _offsets(values: pa.Array) -> npt.NDArray[np.int64]:
    offset_type = np.int64 if pa.types.is_large_string(values.type) else np.int32
    raw = np.frombuffer(values.buffers()[1], dtype=offset_type)
    return raw[values.offset : values.offset + len(values) + 1].astype(np.int64)


def fixed_width(values: pa.Array, width: int) -> tuple[npt.NDArray[np.int64], Bytes]:
    """The rows of the string array ``values`` that are exactly ``width`` bytes long (not
    null), and their bytes as a (rows, width) matrix (a view of Arrow's buffer when every
    row is that long)."""
    keep = np.diff(_offsets(values)) == width
    if values.null_count:
        keep &= pc.is_valid(values).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(keep)
    if len(rows) < len(values):
        values = values.filter(pa.array(keep))  # the rows kept, contiguous
    if not len(rows):
        return rows, np.zeros((0, width), dtype=np.uint8)
    start = int(_offsets(values)[0])
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)
    return rows, data[start : start + width * len(rows)].reshape(len(rows), width)


def _values(chars: str, weight: int) -> npt.NDArray[np.float32]:
    """Byte → value × ``weight`` for the bytes of ``chars`` (``uscc.ALPHABET`` values), and
    ``_BAD`` for any other byte: a sum is below ``_BAD`` only when every character was
    allowed (exact in float32: the sums are small integers, or ``_BAD`` and more)."""
    out = np.full(256, _BAD, dtype=np.float32)
    for c in chars:
        out[ord(c)] = uscc.ALPHABET.index(c) * weight
    return out


_BAD = float(2**20)  # > 17 × 30 × 30, the largest valid weighted sum
_POSITION_VALUES = np.stack(
    [
        _values(allowed, weight)
        for allowed, weight in zip(
            ("".join(uscc.AUTHORITIES), *[uscc.DIGITS] * 7, *[uscc.ALPHABET] * 9),
            uscc.WEIGHTS,
            strict=True,
        )
    ]
)


def _pair_values() -> npt.NDArray[np.float32]:
    """Per pair of positions (1–2, 3–4, …, 17–18), a table of 65,536 entries: the two bytes
    read as one little-endian 16-bit number → the sum of their weighted values (``_BAD`` or
    more when either is not allowed there). The 18th character, the check character, adds
    nothing: it is compared with the one the sum gives."""
    tables = []
    for i in range(0, 18, 2):
        first = _POSITION_VALUES[i]
        second = _POSITION_VALUES[i + 1] if i + 1 < 17 else np.zeros(256, dtype=np.float32)
        tables.append((second[:, None] + first[None, :]).reshape(-1))  # index: second × 256 + first
    return np.stack(tables).astype(np.float32)


_PAIR_VALUES = _pair_values()


def _uscc_rows(m: Bytes) -> Mask:
    """Each row of the byte matrix ``m`` (18 wide) a valid USCC, by ``uscc.is_valid``'s rule:
    the characters allowed at each position, then the check character of the weighted sum.
    The sum is taken two characters at a time (``_PAIR_VALUES``: nine lookups per code, not
    seventeen); a character not allowed makes it too large to pass."""
    pairs = np.ascontiguousarray(m).view("<u2")  # (rows, 9): two bytes per value
    total = _PAIR_VALUES[0][pairs[:, 0]]
    for i in range(1, 9):
        total += _PAIR_VALUES[i][pairs[:, i]]
    ok: Mask = total < _BAD
    remainder = np.where(ok, total, 0).astype(np.int32) % 31
    ok &= _USCC_CHECK[remainder] == m[:, 17]  # a check character is always in the alphabet
    return ok


def _ric_rows(m: Bytes) -> Mask:
    """Each row of ``m`` (18 wide) shaped like a resident ID number: digits and a check
    character (digit or X), a known province, a real birth date in 1800–2099 at positions 7–14,
    the MOD 11-2 check character (``ric``'s rule)."""
    digits = _DIGIT[m[:, :17]].astype(np.int32)
    ok: Mask = (digits.min(axis=1) >= 0) & ((_DIGIT[m[:, 17]] >= 0) | (m[:, 17] == ord("X")))
    d = np.where(ok[:, None], digits, 0)
    ok &= _RIC_AREA[d[:, 0] * 10 + d[:, 1]]
    year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    month = d[:, 10] * 10 + d[:, 11]
    day = d[:, 12] * 10 + d[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _MONTH_DAYS[np.clip(month, 0, 12)] - ((month == 2) & ~leap)
    ok &= (year >= 1800) & (year < 2100) & (month >= 1) & (month <= 12) & (day >= 1)
    ok &= day <= days
    ok &= _RIC_CHECK[(d @ _RIC_WEIGHTS) % 11] == m[:, 17]
    return ok


def uscc_codes(values: pa.Array) -> Mask:
    """Per text of ``values``: a valid USCC in machine form (18 characters as given, upper
    case) that is not also shaped like a resident ID number — such a code may be a person's
    number that happens to pass the USCC check, which ``classify`` decides one by one."""
    rows, m = fixed_width(values, uscc.LENGTH)
    out = np.zeros(len(values), dtype=np.bool_)
    if len(rows):
        valid = _uscc_rows(m)
        # a resident ID number is digits from 1800–2099 at positions 7–14: only such rows
        # are looked at closer (few, in a file of company codes)
        maybe = np.flatnonzero(valid & (m[:, 6] >= ord("1")) & (m[:, 6] <= ord("2")))
        if len(maybe):
            valid[maybe[_ric_rows(m[maybe])]] = False
        out[rows] = valid
    return out
