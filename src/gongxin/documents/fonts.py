"""The report's Chinese font: a compact copy of Noto Sans CJK SC, made once per deployment.

Why: the system's Noto Sans CJK is a 19 MB collection of 65,535 glyphs. WeasyPrint subsets
the font of every PDF it writes, keeping glyph numbers, so each report paid for cutting the
whole collection (and carried a font program as long as the highest glyph number used). The
compact copy holds the characters of GB 2312 (6,763 汉字 and its symbols), ASCII, Latin-1,
general and CJK punctuation and the full-width forms, about 14,000 glyphs with their layout
features, in one OpenType file. It is the same design: a report looks the same, and its text
stays extractable. Characters outside it (a rare 汉字 in a company name) fall back to the
full system font, named after it in the CSS.

It is made with HarfBuzz's subsetter (``libharfbuzz-subset``, which WeasyPrint itself loads;
about a second) by ``gongxin init``, or on the first report if init did not. Without the
library or the system font there is no compact copy and reports use the system font as before.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from functools import cache
from pathlib import Path
from typing import Any

LOGGER = logging.getLogger(__name__)

FAMILY = "Gongxin Noto Sans CJK SC"  # the @font-face name of the compact copy
SYSTEM_FAMILY = "Noto Sans CJK SC"
FILE_NAME = "noto-sans-cjk-sc-gb2312.otf"
KNOWN_PLACES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Debian fonts-noto-cjk
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),  # Arch, Fedora
)
_RANGES = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0x17F),  # Latin-1 and Latin Extended-A
    (0x2000, 0x206F),  # general punctuation
    (0x2460, 0x24FF),  # enclosed numbers ① ⑴
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # full-width forms
)
_HB_SETS_UNICODE = 1  # hb_subset_sets_t: HB_SUBSET_SETS_UNICODE
_made = threading.Lock()


def characters() -> list[int]:
    """The code points kept: GB 2312's (read from Python's codec) and the ranges above."""
    kept = {c for first, last in _RANGES for c in range(first, last + 1)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                kept.update(map(ord, bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(kept)


@cache
def system_font() -> tuple[str, int] | None:
    """The file and face index of Noto Sans CJK SC, as fontconfig finds it."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{file}\n%{index}", SYSTEM_FAMILY],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.split("\n")  # fmt: skip
        if len(found) == 3 and SYSTEM_FAMILY in found[0].split(","):
            return found[1], int(found[2])
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    for path, index in KNOWN_PLACES:
        if Path(path).is_file():
            return path, index
    return None


def report_font(var_dir: Path) -> Path | None:
    """The compact font under ``var_dir/fonts/``, made now if missing; ``None`` when it
    cannot be made (no system font or no HarfBuzz subsetter: reports use the system font).
    The path is absolute (the style sheet names it by a file URI) even when ``var_dir`` is
    relative to where gongxin runs, as it is by default."""
    target = (var_dir / "fonts" / FILE_NAME).absolute()
    if target.is_file():
        return target
    with _made:
        if target.is_file():
            return target
        source = system_font()
        data = _subset(*source) if source else None
        if data is None:
            LOGGER.warning("no compact report font: reports use the full %s", SYSTEM_FAMILY)
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        partial.write_bytes(data)
        partial.replace(target)  # atomic: another process sees the whole file or none
        return target


@cache
def _harfbuzz() -> tuple[Any, Any, Any] | None:
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(
            """
            typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
            typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_subset_input_t;
            hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
            void hb_blob_destroy (hb_blob_t *blob);
            const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
            hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
            void hb_face_destroy (hb_face_t *face);
            hb_blob_t *hb_face_reference_blob (hb_face_t *face);
            void hb_set_add_range (hb_set_t *set, uint32_t first, uint32_t last);
            hb_subset_input_t *hb_subset_input_create_or_fail (void);
            void hb_subset_input_destroy (hb_subset_input_t *input);
            hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
            hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
            """
        )
        return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")
    except (ImportError, OSError, AttributeError) as exc:
        LOGGER.warning("HarfBuzz subsetter not available: %s", exc)
        return None


@cache  # one cut per process, however many deployments (test folders) ask for it
def _subset(path: str, index: int) -> bytes | None:
    """The face ``index`` of the font file ``path`` cut to :func:`characters`."""
    loaded = _harfbuzz()
    if loaded is None:
        return None
    ffi, hb, sub = loaded
    blob = hb.hb_blob_create_from_file_or_fail(os.fsencode(path))
    if blob == ffi.NULL:
        return None
    face = hb.hb_face_create(blob, index)
    plan = sub.hb_subset_input_create_or_fail()
    try:
        wanted = sub.hb_subset_input_set(plan, _HB_SETS_UNICODE)
        for point in characters():
            hb.hb_set_add_range(wanted, point, point)
        cut = sub.hb_subset_or_fail(face, plan)
        if cut == ffi.NULL:
            return None
        out = hb.hb_face_reference_blob(cut)
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(hb.hb_blob_get_data(out, length), length[0]))
        hb.hb_blob_destroy(out)
        hb.hb_face_destroy(cut)
        return data or None
    finally:
        sub.hb_subset_input_destroy(plan)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
