"""The report as PDF: plain HTML built here (every stored text escaped), laid out by WeasyPrint.

Fonts: Noto CJK from Debian's ``fonts-noto-cjk`` (scripts/system-deps.sh).
"""

from __future__ import annotations

import base64
import io
from html import escape

from gongxin.reports.content import Entry, ReportContent, Section, digest

FONTS = '"Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif'

CSS = f"""
@page {{ size: A4; margin: 18mm 16mm 20mm;
  @bottom-center {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
                    font-family: {FONTS}; font-size: 8pt; color: #555; }} }}
body {{ font-family: {FONTS}; font-size: 9.5pt; line-height: 1.45; color: #111; }}
h1 {{ text-align: center; font-size: 20pt; margin: 0 0 4mm; letter-spacing: 2pt; }}
h2 {{ font-size: 12pt; border-left: 3pt solid #b22; padding-left: 2mm; margin: 6mm 0 2mm; }}
.subject {{ text-align: center; font-size: 13pt; margin-bottom: 4mm; }}
.meta {{ width: 100%; margin-bottom: 4mm; }}
.meta td {{ vertical-align: top; }}
.hash {{ font-family: monospace; font-size: 7.5pt; word-break: break-all; }}
table.kv {{ width: 100%; border-collapse: collapse; margin-bottom: 3mm; }}
table.kv th, table.kv td {{ border: 0.5pt solid #888; padding: 1mm 2mm; text-align: left;
  vertical-align: top; }}
table.kv th {{ width: 32%; background: #f2f2f2; font-weight: normal; }}
.none {{ color: #555; }}
.note {{ font-size: 8pt; color: #444; margin-top: 6mm; }}
"""


class RendererMissing(RuntimeError):
    pass


def qr_data_uri(text: str) -> str:
    """A PNG QR code of ``text`` as a ``data:`` URI."""
    import qrcode

    buffer = io.BytesIO()
    qrcode.make(text, border=1).save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _rows(entries: tuple[Entry, ...]) -> str:
    return "".join(
        f"<tr><th>{escape(e.label)}</th><td>{escape(e.value)}</td></tr>" for e in entries
    )


def _section(number: int, section: Section) -> str:
    head = f"<h2>{number}. {escape(section.title)}（{len(section.items)} 条）</h2>"
    if not section.items:
        return head + '<p class="none">未查询到相关记录。</p>'
    return head + "".join(f'<table class="kv">{_rows(i.fields)}</table>' for i in section.items)


def to_html(content: ReportContent, verify_url: str) -> str:
    fingerprint = digest(content)
    sections = "".join(_section(n, s) for n, s in enumerate(content.sections, start=2))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>公共信用信息报告 {escape(content.report_no)}</title>
<style>{CSS}</style></head><body>
<h1>公共信用信息报告</h1>
<div class="subject">{escape(content.subject_name)}</div>
<table class="meta"><tr><td>
<div>报告编号：{escape(content.report_no)}</div>
<div>信息截止日期：{content.as_of.isoformat()}</div>
<div>统一社会信用代码 / 注册号：{escape(content.subject_code)}</div>
<div>报告校验码（SHA-256）：</div><div class="hash">{fingerprint}</div>
</td><td style="width: 30mm; text-align: right;">
<img src="{escape(qr_data_uri(verify_url))}" style="width: 28mm; height: 28mm;" alt="验证二维码">
</td></tr></table>
<h2>1. 基础信息</h2><table class="kv">{_rows(content.basics)}</table>
{sections}
<p class="note">本报告仅包含截至信息截止日期依法社会公开的公共信用信息，自然人信息已按规定脱敏。
扫描二维码或访问以下地址，输入报告编号、主体代码和校验码即可验证报告真伪：<br>
<span class="hash">{escape(verify_url)}</span></p>
</body></html>"""


def render(content: ReportContent, verify_url: str) -> bytes:
    """The report as PDF bytes, with its number, date, SHA-256 and a QR code to ``verify_url``."""
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RendererMissing(
            "未安装 PDF 生成组件 WeasyPrint：请执行 pip install weasyprint"
            "（并安装 fonts-noto-cjk 字体）"
            " / WeasyPrint is not installed: pip install weasyprint (and fonts-noto-cjk)"
        ) from exc
    pdf: bytes = weasyprint.HTML(string=to_html(content, verify_url)).write_pdf()
    return pdf
