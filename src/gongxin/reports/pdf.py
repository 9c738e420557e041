"""The report as PDF: plain HTML built here (every stored text escaped), laid out with the
platform's other documents (:mod:`gongxin.documents.layout`: the compact Noto CJK font, one font
configuration per process, one layout at a time)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from gongxin.documents.layout import FONT, lay_out, qr_data_uri
from gongxin.reports.content import MARK_LABEL, Entry, ReportContent, digest

NUMERALS = "一二三四五六七八九十"

CSS = f"""
@page {{ size: A4; margin: 18mm 16mm 20mm;
  @bottom-left {{ content: string(report-no); font-family: {FONT}; font-size: 7.5pt;
                  color: #555; }}
  @bottom-right {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
                   font-family: {FONT}; font-size: 7.5pt; color: #555; }} }}
* {{ font-weight: normal; }}
body {{ font-family: {FONT}; font-size: 9.5pt; line-height: 1.45; color: #111; }}
h1 {{ text-align: center; font-size: 21pt; margin: 6mm 0 1mm; letter-spacing: 3pt; }}
.kind {{ text-align: center; font-size: 10pt; color: #444; margin-bottom: 5mm; }}
.subject {{ text-align: center; font-size: 14pt; margin-bottom: 5mm; }}
h2 {{ font-size: 12.5pt; color: #8b1a1a; border-bottom: 0.8pt solid #8b1a1a; margin: 6mm 0 2mm;
  break-after: avoid; }}
h3 {{ font-size: 10.5pt; border-left: 3pt solid #b22; padding-left: 2mm; margin: 4mm 0 2mm;
  break-after: avoid; }}
.report-no {{ string-set: report-no content(); }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; margin-bottom: 3mm; }}
tr {{ break-inside: avoid; }}
th, td {{ border: 0.5pt solid #888; padding: 1mm 2mm; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }}
th {{ background: #f2f2f2; }}
table.meta th {{ width: 24%; }}
table.meta td.qr {{ width: 32mm; text-align: center; vertical-align: middle; }}
table.meta img {{ width: 28mm; height: 28mm; }}
table.kv th {{ width: 32%; }}
table.summary th.group {{ width: 26%; }}
table.summary th.item {{ width: 44%; background: #fff; }}
td.attention {{ color: #b00; }}
.code {{ font-family: monospace; font-size: 12pt; letter-spacing: 1pt; }}
.hash {{ font-family: monospace; font-size: 7.5pt; overflow-wrap: anywhere; }}
.none {{ color: #555; }}
.summary-page {{ break-after: page; }}
ol.statement {{ padding-left: 5mm; font-size: 8.5pt; color: #333; }}
ol.statement li {{ margin-bottom: 1mm; }}
.issuer {{ text-align: right; margin-top: 6mm; }}
"""


def _rows(entries: tuple[Entry, ...]) -> str:
    rows = []
    for e in entries:
        marked = ' class="attention"' if e.label == MARK_LABEL else ""
        rows.append(f"<tr><th>{escape(e.label)}</th><td{marked}>{escape(e.value)}</td></tr>")
    return "".join(rows)


def numeral(n: int) -> str:
    """一 … 十, 十一 … 九十九: the Chinese ordinal of a heading."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else NUMERALS[tens - 1] + "十"
    return head + (NUMERALS[ones - 1] if ones else "")


def _summary(content: ReportContent) -> str:
    rows, last = [], None
    for line in content.summary:
        group = escape(line.group) if line.group != last else ""
        last = line.group
        style = ' class="attention"' if line.attention else ""
        rows.append(
            f'<tr><th class="group">{group}</th><th class="item">{escape(line.label)}</th>'
            f"<td{style}>{escape(line.value)}</td></tr>"
        )
    head = '<tr><th class="group">类别</th><th class="item">信息项</th><th>情况</th></tr>'
    return f'<table class="summary">{head}{"".join(rows)}</table>'


def _sections(content: ReportContent) -> str:
    parts, number, last = [], 1, None
    for section in content.sections:
        if section.group != last:
            number += 1
            last = section.group
            parts.append(f"<h2>{numeral(number)}、{escape(section.group or section.title)}</h2>")
        parts.append(f"<h3>{escape(section.title)}（{len(section.items)} 条）</h3>")
        if not section.items:
            parts.append('<p class="none">未查询到相关记录。</p>')
        parts += [f'<table class="kv">{_rows(i.fields)}</table>' for i in section.items]
    return "".join(parts)


def statement(content: ReportContent, verify_page: str) -> list[str]:
    """The 报告说明 (statement of use) printed at the end of every report."""
    issuer = content.issuer or "信用中心"
    platform = content.platform or "公共信用信息平台"
    return [
        f"本报告由{issuer}依据{platform}截至信息截止日期 {content.as_of.isoformat()} "
        "归集的依法社会公开的公共信用信息出具，仅反映截止日期时的情况，不代表对报告主体的综合评价。",
        "本报告可供报告主体在招标投标、政府采购、行政审批、评先评优、融资信贷等活动中说明其公共信用状况使用，"
        "以及代替相关领域无违法违规记录证明（以有关部门认可为准）；请勿用于其他用途。",
        f"本电子报告附有{issuer}的数字签名（电子签章），在 PDF 阅读器中可查看签名状态；"
        "文件被改动后签名即失效。纸质报告请在验证页面输入验证码核验："
        f"{verify_page}",
        "自然人信息已按规定脱敏。信息的公示期限按有关规定执行，期满不再公示的信息不在本报告中。",
        f"对报告内容有异议的，可向{issuer}或信息提供部门提出异议申请。",
    ]


def to_html(
    content: ReportContent,
    verify_url: str,
    code: str = "",
    verify_page: str = "",
    *,
    style: bool = True,
) -> str:
    """The report as HTML: ``verify_url`` is put in the QR code, ``code`` is the 验证码 and
    ``verify_page`` the page where it is typed. ``style=False`` leaves out the style sheet
    (the PDF renderer applies its parsed copy)."""
    sheet = f"<style>{CSS}</style>" if style else ""
    fingerprint = digest(content)
    page = verify_page or verify_url.split("?", 1)[0]
    notes = "".join(f"<li>{escape(n)}</li>" for n in statement(content, page))
    issuer = (
        f"<tr><th>出具机构</th><td>{escape(content.issuer)}</td></tr>" if content.issuer else ""
    )
    shown = f'<tr><th>验证码</th><td class="code">{escape(code)}</td></tr>' if code else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>公共信用信息报告 {escape(content.report_no)}</title>
{sheet}</head><body>
<div class="summary-page">
<h1>公共信用信息报告</h1>
<div class="kind">（法人和非法人组织）</div>
<div class="subject">{escape(content.subject_name)}</div>
<table class="meta"><tr><th>报告编号</th>
<td><span class="report-no">{escape(content.report_no)}</span></td>
<td class="qr" rowspan="5"><img src="{escape(qr_data_uri(verify_url))}" alt="验证二维码"></td></tr>
{shown}
<tr><th>统一社会信用代码 / 注册号</th><td>{escape(content.subject_code)}</td></tr>
<tr><th>信息截止日期</th><td>{content.as_of.isoformat()}</td></tr>
{issuer}
<tr><th>报告校验码（SHA-256）</th><td class="hash">{fingerprint}</td></tr>
</table>
<h2>信用概况</h2>
{_summary(content)}
<p class="none">信用概况汇总本报告各部分的记录条数，详细内容见以下各部分。
扫描二维码，或访问 <span class="hash">{escape(page)}</span>
输入验证码，可查看平台存档的本报告内容。</p>
</div>
<h2>一、基础信息</h2><table class="kv">{_rows(content.basics)}</table>
{_sections(content)}
<h2>报告说明</h2>
<ol class="statement">{notes}</ol>
<p class="none">二维码链接（按报告编号和校验码验证）：<br>
<span class="hash">{escape(verify_url)}</span></p>
<div class="issuer">{escape(content.issuer)}<br>{content.as_of.isoformat()}</div>
</body></html>"""


def render(
    content: ReportContent,
    verify_url: str,
    code: str = "",
    verify_page: str = "",
    *,
    font: Path | None = None,
) -> bytes:
    """The report as PDF bytes (unsigned), with its number, date, SHA-256, 验证码 and a QR code
    to ``verify_url``; ``font`` is the compact CJK font (:func:`fonts.report_font`), without
    it the system's full Noto Sans CJK."""
    html = to_html(content, verify_url, code, verify_page, style=False)
    return lay_out(html, css=CSS, font=font)
