"""How deep JSON nests, measured on the bytes before any parser sees them.

Deeply nested JSON costs parsers far more than its size: a few hundred kilobytes of ``[`` grow
a prefix-tracking streaming parser to gigabytes and overflow the recursion of ``json.loads``.
:class:`DepthGuard` is fed UTF-8 text chunk by chunk (as it streams in) and raises
:class:`TooDeep` as soon as arrays and objects nest deeper than allowed. It skips string
contents (escapes included) and carries its state across chunks; it does not check the JSON
otherwise, which remains the parser's job. Everything but the six bytes ``" \\ [ ] { }`` is
dropped at C speed first, so ordinary records cost little.
"""

from __future__ import annotations

from itertools import accumulate, repeat
from operator import sub

from gongxin.errors import InvalidInput

_DELETE = bytes(b for b in range(256) if b not in b'"[]{}')
_STEP = bytes.maketrans(b"[]{}", b"\x02\x00\x02\x00")  # an open counts +1, a close -1
_WINDOW = 4096


class TooDeep(InvalidInput):
    code = "json_too_deep"


def too_deep(limit: int, where: str = "", where_en: str = "") -> TooDeep:
    return TooDeep(
        f"JSON 嵌套超过 {limit} 层{where}，已拒绝（数组和对象的层数有上限）",
        f"the JSON nests deeper than {limit} levels{where_en}; refused",
        limit=limit,
    )


class DepthGuard:
    """Feed UTF-8 JSON text in chunks; :class:`TooDeep` past ``max_depth`` levels."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.depth = 0
        self._in_string = False
        self._tail = b""  # an odd backslash that ended the previous chunk

    def feed(self, chunk: bytes) -> None:
        data = self._tail + chunk
        body = data.rstrip(b"\\")
        self._tail = b"\\" * ((len(data) - len(body)) % 2)  # pairs are escaped backslashes
        reduced = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _DELETE)
        if self._in_string:
            end = reduced.find(b'"')
            if end < 0:
                return
            reduced = reduced[end + 1 :]
            self._in_string = False
        reduced = reduced.replace(b'""', b"")  # most strings hold no bracket; pairing stays
        if b'"' in reduced:
            parts = reduced.split(b'"')  # odd parts are inside strings
            self._in_string = len(parts) % 2 == 0  # the last string goes on in the next chunk
            reduced = b"".join(parts[0::2])
        if not reduced:
            return
        steps = reduced.translate(_STEP)
        opens = steps.count(2)
        if self.depth + opens > self.max_depth:  # else it cannot get too deep here
            depth = self.depth
            for start in range(0, len(steps), _WINDOW):
                window = steps[start : start + _WINDOW]
                if max(accumulate(map(sub, window, repeat(1)), initial=depth)) > self.max_depth:
                    raise too_deep(self.max_depth)
                depth += 2 * window.count(2) - len(window)
        self.depth += opens - (len(steps) - opens)


def check_depth(data: bytes | str, max_depth: int) -> None:
    """:class:`TooDeep` when the JSON text ``data`` nests deeper than ``max_depth``."""
    DepthGuard(max_depth).feed(data.encode("utf-8") if isinstance(data, str) else data)
