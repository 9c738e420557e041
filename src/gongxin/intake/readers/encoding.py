"""Which character encoding a text file is in: detected from the content, never assumed.

The order of evidence, strongest first:

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. UTF-16 without a BOM (a large share of NUL bytes, on the even or the odd positions);
3. UTF-8, when the sample decodes strictly — text in any other encoding practically never does;
4. UTF-8 with some damage, when nearly every non-ASCII sequence in the sample is valid UTF-8
   (at least :data:`DAMAGE_RATIO` valid characters per bad byte sequence): a few broken bytes
   become U+FFFD in the values they sit in, instead of the whole file being read as something
   else; a note counts them;
5. GB18030 (a superset of GBK and GB2312), when the sample decodes strictly, or else with some
   damage as for UTF-8;
6. charset-normalizer's best guess, with a note that it is a guess.

The sample is the first :data:`SAMPLE_SIZE` bytes, decoded incrementally so that a multi-byte
character cut by the end of the sample does not count against an encoding.

A declared encoding (what the uploader or the department said the file is in) is used when the
sample decodes strictly with it, except that content which is valid, non-ASCII UTF-8 is read as
UTF-8 whatever was declared. Otherwise the detected encoding is used and a note names both.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from gongxin.errors import UnreadableFile
from gongxin.intake.readers.table import note

SAMPLE_SIZE = 1 << 20
DAMAGE_RATIO = 20

BOMS: tuple[tuple[bytes, str, str], ...] = (
    # (mark, codec that decodes what follows it, name reported to the user)
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

_DISPLAY = {"utf-8": "UTF-8", "gb18030": "GBK/GB18030", "gbk": "GBK", "gb2312": "GB2312"}


@dataclass(frozen=True)
class Encoding:
    """How to decode a file: skip ``bom`` bytes, then decode with ``codec``."""

    codec: str
    name: str
    bom: int = 0
    notes: list[str] = field(default_factory=list)


def display(codec: str) -> str:
    """A codec's name as people write it: ``GBK``, ``UTF-8``, ``UTF-16-LE``."""
    return _DISPLAY.get(codec, codec.upper())


def family(codec: str) -> str:
    """The codec without a BOM or byte-order suffix: ``utf-8-sig`` and ``utf-8`` are one family."""
    name = codecs.lookup(codec).name
    for suffix in ("-sig", "-le", "-be"):
        name = name.removesuffix(suffix)
    return name


def decodes(sample: bytes, codec: str, *, final: bool) -> bool:
    """Whether ``sample`` decodes strictly; an incomplete character at its end is allowed
    unless ``final``."""
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(sample, final=final)
    except UnicodeDecodeError:
        return False
    return True


def read_sample(path: Path) -> tuple[bytes, bool]:
    """The first :data:`SAMPLE_SIZE` bytes of the file, and whether they are the whole file."""
    with path.open("rb") as f:
        sample = f.read(SAMPLE_SIZE)
        return sample, not f.read(1)


def detect_encoding(path: Path, declared: str | None = None) -> Encoding:
    """The encoding to read the text file at ``path`` with (see the module docstring)."""
    sample, whole = read_sample(path)
    return choose(sample, whole=whole, declared=declared)


def choose(sample: bytes, *, whole: bool, declared: str | None = None) -> Encoding:
    """The encoding for a file that starts with ``sample`` (all of it when ``whole``)."""
    detected = _detect(sample, whole=whole)
    if declared is None or not declared.strip():
        return detected
    try:
        declared_codec = codecs.lookup(declared.strip()).name
    except LookupError:
        return _with_note(
            detected,
            f"声明的编码“{declared}”无法识别，已按检测到的 {display(detected.codec)} 读取",
            f"the declared encoding {declared!r} is unknown; read as the detected "
            f"{display(detected.codec)}",
        )
    if family(declared_codec) == family(detected.codec):
        return detected
    body = sample[detected.bom :]
    utf8_content = detected.codec == "utf-8" and not body.isascii()
    if detected.bom == 0 and not utf8_content and decodes(body, declared_codec, final=whole):
        return Encoding(declared_codec, declared_codec)
    return _with_note(
        detected,
        f"声明为 {display(declared_codec)} 但内容是 {display(detected.codec)}，"
        f"已按 {display(detected.codec)} 读取",
        f"declared as {display(declared_codec)} but the content is "
        f"{display(detected.codec)}; read as {display(detected.codec)}",
    )


def _with_note(encoding: Encoding, zh: str, en: str) -> Encoding:
    return Encoding(encoding.codec, encoding.name, encoding.bom, [*encoding.notes, note(zh, en)])


def _detect(sample: bytes, *, whole: bool) -> Encoding:
    for mark, codec, name in BOMS:
        if sample.startswith(mark):
            return Encoding(codec, name, len(mark))
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        return Encoding(utf16, utf16)
    for codec in ("utf-8", "gb18030"):
        if decodes(sample, codec, final=whole):
            return Encoding(codec, codec)
        bad = _mostly(sample, codec, whole=whole)
        if bad is not None:
            return Encoding(codec, codec, notes=[_damage_note(codec, bad, whole=whole)])
    best = from_bytes(sample).best()
    if best is None:
        raise UnreadableFile(
            "无法识别文件的字符编码，可能不是文本文件",
            "the character encoding could not be recognised; the file may not be text",
        )
    codec = codecs.lookup(best.encoding).name
    return Encoding(
        codec,
        codec,
        notes=[
            note(
                f"无法确定文件的编码，按推测的 {display(codec)} 读取，请核对内容",
                f"the encoding could not be determined; read as the guessed "
                f"{display(codec)}, check the content",
            )
        ],
    )


def _mostly(sample: bytes, codec: str, *, whole: bool) -> int | None:
    """How many bad byte sequences the sample has in ``codec``, if it is nonetheless nearly all
    valid: at least :data:`DAMAGE_RATIO` valid non-ASCII characters per bad sequence."""
    text = codecs.getincrementaldecoder(codec)("replace").decode(sample, final=whole)
    replaced = text.count("\ufffd")
    bad = replaced - sample.count("\ufffd".encode(codec))  # U+FFFD written in the file is fine
    valid = len(text) - len(text.encode("ascii", "ignore")) - replaced
    return bad if valid >= DAMAGE_RATIO * bad else None


def _damage_note(codec: str, bad: int, *, whole: bool) -> str:
    zh_where, en_where = ("文件", "the file") if whole else ("文件前 1 MiB", "the first MiB")
    return note(
        f"{zh_where}中有 {bad} 处字节不是有效的 {display(codec)}，已替换为 �，请核对相应的值",
        f"{en_where} has {bad} byte sequence(s) invalid in {display(codec)}, replaced by "
        "U+FFFD; check the values concerned",
    )


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the head of the sample looks like UTF-16 text."""
    head = sample[:4096]
    if len(head) < 4 or head.count(0) * 4 < len(head):
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 3 * even:
        return "utf-16-le"
    if even > 3 * odd:
        return "utf-16-be"
    return None
