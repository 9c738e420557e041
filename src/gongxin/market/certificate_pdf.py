"""The certificate (信用等级证书) as PDF: plain HTML built here (every stored text escaped), laid
out as the credit reports are (``documents.layout``: the compact Noto CJK font, one layout at a
time per process), with the certificate number of the scheme and a QR code that opens the live
result on the platform.

The PDF says what was awarded; what holds today is the live result page (a revoked or expired
certificate says so there, whatever a printed copy shows).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from gongxin.documents.layout import FONT, lay_out, qr_data_uri

CSS = f"""
@page {{ size: A4 landscape; margin: 14mm; }}
* {{ font-weight: normal; }}
body {{ font-family: {FONT}; color: #222; }}
.frame {{ border: 3pt double #a0282b; padding: 10mm 16mm; height: 150mm; position: relative; }}
h1 {{ text-align: center; color: #a0282b; font-size: 30pt; letter-spacing: 10pt; margin: 2mm 0; }}
.en {{ text-align: center; font-size: 10pt; color: #666; margin-bottom: 8mm; }}
.company {{ text-align: center; font-size: 20pt; margin: 4mm 0; }}
.uscc {{ text-align: center; font-size: 10pt; color: #444; }}
.grade {{ text-align: center; font-size: 44pt; color: #a0282b; margin: 6mm 0 2mm; }}
.klass {{ text-align: center; font-size: 11pt; }}
table {{ margin-top: 8mm; border-collapse: collapse; font-size: 10pt; }}
th {{ text-align: left; padding: 1mm 4mm 1mm 0; color: #555; }}
td {{ padding: 1mm 0; }}
.no {{ font-family: monospace; font-size: 13pt; letter-spacing: 1pt; }}
.qr {{ position: absolute; right: 16mm; bottom: 10mm; text-align: center; font-size: 8pt; }}
.qr img {{ width: 30mm; height: 30mm; }}
.note {{ font-size: 8pt; color: #555; margin-top: 6mm; width: 170mm; }}
"""


def to_html(found: dict[str, Any], klass: str, scheme: str, live_url: str) -> str:
    """The certificate's HTML: ``found`` is certificate_status.live of the certificate."""
    rows = [
        ("证书编号 Certificate no.", f'<span class="no">{escape(found["certificate_no"])}</span>'),
        ("评价单位 Evaluated by", escape(found["evaluator"])),
        ("评价批次 Round", escape(found["round"])),
        ("发证日期 Issued", escape(found["issued_on"].isoformat())),
        ("有效期至 Valid until", escape(found["valid_until"].isoformat())),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>{CSS}</style></head><body><div class="frame">
<h1>信用等级证书</h1>
<div class="en">Certificate of Industry Credit Evaluation · {escape(scheme)}</div>
<div class="company">{escape(found["company"])}</div>
<div class="uscc">统一社会信用代码 {escape(found["uscc"])}</div>
<div class="grade">{escape(found["grade"])}</div>
<div class="klass">企业信用评价 {escape(found["grade"])} 级信用企业（{escape(klass)}，等级代码
 {escape(found["grade_code"])}）</div>
<table>{table}</table>
<div class="note">有效期内每年年审；企业发生重大违法失信行为的，评价结果即时失效。
本证书的现时状态以扫码或访问
{escape(live_url)} 所见为准。 The live status is at the address above.</div>
<div class="qr"><img src="{qr_data_uri(live_url)}" alt="QR"><br>扫码查验 Scan to verify
</div>
</div></body></html>"""


def render(
    found: dict[str, Any], klass: str, scheme: str, live_url: str, *, font: Path | None = None
) -> bytes:
    """The certificate as PDF bytes; ``font`` the reports' compact CJK font
    (``documents.fonts.report_font``), without it the system's full Noto Sans CJK."""
    return lay_out(to_html(found, klass, scheme, live_url), font=font)
