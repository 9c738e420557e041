"""The decision document (决定书) of an objection or repair application, as a PDF the applicant
downloads with their 查询码, laid out as every document of the platform (``documents.layout``)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from gongxin.documents.layout import FONT, lay_out


def to_html(app: dict[str, Any]) -> str:
    rows = [
        ("受理编号", app["number"]),
        ("申请类型", app["kind_zh"]),
        ("记录编号", str(app["record_id"])),
        ("受理日期", str(app["received_on"])),
        ("办理期限", str(app["due_on"])),
        *(
            [("延长期限", f"{app['extended_days']} 个工作日：{app['extension_reason'] or ''}")]
            if app.get("extended_days")
            else []
        ),
        *(
            [("中止计时", f"{app['paused_days']} 个工作日不计入办理期限")]
            if app.get("paused_days")
            else []
        ),
        ("处理结果", app["state_zh"]),
        ("决定日期", str(app["decided_on"] or "尚未办结")),
        ("理由", app["reasons"] or ""),
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
body {{ font-family: {FONT}; margin: 2cm; }}
h1 {{ text-align: center; font-size: 20pt; }} table {{ width: 100%; border-collapse: collapse; }}
th, td {{ border: 1px solid #999; padding: 6pt; text-align: left; vertical-align: top; }}
th {{ width: 25%; background: #f3f3f3; }}</style></head><body>
<h1>{escape(app["kind_zh"])}申请处理决定书</h1><table>{body}</table>
<p>本决定由记录提供部门作出；信用修复免费办理。</p></body></html>"""


def render(app: dict[str, Any], *, font: Path | None = None) -> bytes:
    """The decision as PDF bytes; ``font`` the compact CJK font (``documents.fonts.report_font``),
    without it the system's full Noto Sans CJK."""
    return lay_out(to_html(app), font=font)
