"""What a company pastes into its site: the badge as SVG (drawn from the live verdict, so a
revoked, suspended, expired or forged mark shows so on the company's own page), the HTML
snippet that embeds it, and the QR code (SVG) of the verification link."""

from __future__ import annotations

from html import escape

import qrcode
import qrcode.image.svg

from gongxin.clock import local_date
from gongxin.market.trust_marks import Mark, Verdict

WIDTH, HEIGHT = 240, 64
# colours of each state: (band, text on the band)
COLOURS = {
    "valid": "#1a7f37",
    "expired": "#6e7781",
    "suspended": "#b42318",
    "revoked": "#b42318",
    "forged": "#b42318",
    "unknown": "#6e7781",
}
FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif"


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def status_line(verdict: Verdict) -> str:
    """The badge's third line: the state, and for a valid mark its last day."""
    if verdict.state == "valid" and verdict.expires_at is not None:
        return f"有效 · 至 {local_date(verdict.expires_at)}"
    if verdict.state == "suspended":
        return "已暂停 · 列入失信名单等" if any("列入" in r for r in verdict.reasons) else "已暂停"
    return {
        "expired": "已过期 · 请勿信任",
        "revoked": "已撤销 · 请勿信任",
        "forged": "签名无效 · 请勿信任",
        "unknown": "无此标识 · 请勿信任",
    }[verdict.state]


def badge_svg(verdict: Verdict, platform: str) -> str:
    """The badge as an SVG document (presentation attributes only: no style, no script)."""
    colour = COLOURS[verdict.state]
    mark = "✓" if verdict.state == "valid" else "✗"
    name = _clip(verdict.name or "—", 13)
    title = f"{platform} 网站可信标识 {verdict.serial}：{verdict.label}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{HEIGHT - 1}" rx="6" fill="#ffffff" '
        f'stroke="{colour}"/>'
        f'<rect x="0" y="0" width="58" height="{HEIGHT}" rx="6" fill="{colour}"/>'
        f'<text x="29" y="28" text-anchor="middle" font-family="{FONT}" font-size="16" '
        f'font-weight="bold" fill="#ffffff">公信</text>'
        f'<text x="29" y="50" text-anchor="middle" font-family="{FONT}" font-size="18" '
        f'fill="#ffffff">{mark}</text>'
        f'<text x="68" y="20" font-family="{FONT}" font-size="13" font-weight="bold" '
        f'fill="#1f2328">网站可信标识</text>'
        f'<text x="68" y="38" font-family="{FONT}" font-size="12" fill="#1f2328">'
        f"{escape(name)}</text>"
        f'<text x="68" y="55" font-family="{FONT}" font-size="11" fill="{colour}">'
        f"{escape(status_line(verdict))}</text>"
        "</svg>"
    )


def snippet(mark: Mark, base_url: str, name: str) -> str:
    """The HTML to paste into the company's home page: the badge, linking to its verification
    page on the platform (opened in a new tab)."""
    href = escape(base_url + mark.verify_path)
    src = escape(base_url + mark.badge_path)
    alt = escape(f"网站可信标识：{name}（点击核验）")
    return (
        f'<a href="{href}" target="_blank" rel="noopener">'
        f'<img src="{src}" alt="{alt}" width="{WIDTH}" height="{HEIGHT}"></a>'
    )


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an SVG document (error correction M)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    text: str = image.to_string(encoding="unicode")
    return text
