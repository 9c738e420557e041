"""Laying a document out as PDF: WeasyPrint with Noto CJK, for every document of the platform.

Fonts: Noto CJK from Debian's ``fonts-noto-cjk`` (scripts/system-deps.sh), through the compact
copy that :mod:`gongxin.documents.fonts` makes; :data:`FONT` names it first and the full font
for the characters it lacks. One WeasyPrint font configuration and the parsed style sheets are
kept per process and reused by every document (Pango's font caches stay warm); WeasyPrint's
font map is not thread-safe, so documents are laid out one at a time per process.

Garbage collection: a layout makes tens of thousands of objects that outlive the collector's
youngest generation (20,000 of them cyclic garbage), and with Python's default thresholds the
collector ran about fifty times per report, every third report a full collection over the
server's 270,000 objects (a fifth of a report's CPU time, and the slowest reports' spikes).
So the objects alive when the first document is laid out (the application, WeasyPrint's
modules, the font configuration) are moved out of the collector's reach once
(:func:`gc.freeze`), and while a document is laid out the collector runs after every
:data:`LAYOUT_GC_THRESHOLD` new objects instead of 700. The garbage of a layout is collected
as before, at the next collection.
"""

from __future__ import annotations

import atexit
import base64
import gc
import io
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from gongxin.documents import fonts

# one face, one weight: one font to subset (speed); the compact copy first, the full one for
# the characters it lacks
FONT = f'"{fonts.FAMILY}", "{fonts.SYSTEM_FAMILY}", sans-serif'
LAYOUT_GC_THRESHOLD = 20_000  # young objects between two collections while laying out
_layout = threading.Lock()
_froze = False


class RendererMissing(RuntimeError):
    pass


def qr_data_uri(text: str) -> str:
    """A PNG QR code of ``text`` as a ``data:`` URI."""
    import qrcode

    buffer = io.BytesIO()
    qrcode.make(text, border=1).save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _freeze_once() -> None:
    """Move the objects alive now out of the collector's reach, once per process: they live
    as long as the process, and every full collection would otherwise scan them again."""
    global _froze
    if not _froze:
        _froze = True
        gc.collect()
        gc.freeze()


@lru_cache(maxsize=2)
def _config(font: Path | None) -> Any:
    """The process's font configuration (one per font file)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=8)
def _sheet(font: Path | None, css: str) -> tuple[Any, Any]:
    """``css`` parsed once, after the compact font's @font-face when there is one, with the
    font configuration it was parsed for: the two are used together, whatever either cache
    has let go of since."""
    import weasyprint

    face = (
        f'@font-face {{ font-family: "{fonts.FAMILY}"; src: url({font.as_uri()}); }}\n'
        if font is not None
        else ""
    )
    config = _config(font)
    return config, weasyprint.CSS(string=face + css, font_config=config)


def lay_out(html: str, *, css: str = "", font: Path | None = None) -> bytes:
    """``html`` as PDF bytes, with the style sheet ``css`` (a document may also carry its own
    style inline) and ``font``, the compact CJK font (:func:`fonts.report_font`; without it the
    system's full Noto Sans CJK); one layout at a time per process, the collector run less
    often (see above)."""
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RendererMissing(
            "未安装 PDF 生成组件 WeasyPrint：请执行 pip install weasyprint"
            "（并安装 fonts-noto-cjk 字体）"
            " / WeasyPrint is not installed: pip install weasyprint (and fonts-noto-cjk)"
        ) from exc
    with _layout:
        config, sheet = _sheet(font, css)
        _freeze_once()
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], LAYOUT_GC_THRESHOLD), *threshold[1:])
        try:
            pdf: bytes = weasyprint.HTML(string=html).write_pdf(
                stylesheets=[sheet], font_config=config
            )
        finally:
            gc.set_threshold(*threshold)
    return pdf


def _forget() -> None:
    _sheet.cache_clear()
    _config.cache_clear()


# the font configuration removes its temporary folder when collected: before interpreter exit
atexit.register(_forget)
