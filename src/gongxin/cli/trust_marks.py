"""``gongxin mark``: the credit centre issues, lists, shows and revokes trust marks
(网站可信标识) — the same services as the back office's /admin/marks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.market import trust_mark_badge, trust_marks
from gongxin.market.trust_mark_keys import SigningKey, signing_key
from gongxin.web import links

app = typer.Typer(help="网站可信标识 (trust marks)", no_args_is_help=True)
Serial = Annotated[str, typer.Argument(help="标识编号 (serial, TM…)")]
Actor = Annotated[str, typer.Option(help="操作人 (who acts, for the audit log)")]


def _key(conn: sa.Connection) -> SigningKey:
    s = common.settings()
    return signing_key(conn, s.trust_mark_algorithm, s.trust_mark_secret, now=common.now())


@app.command("issue")
@common.reports_errors
def issue(
    code: Annotated[str, typer.Argument(help="企业统一社会信用代码 (the company's USCC)")],
    url: Annotated[str, typer.Option("--url", help="绑定的网站或网店地址 (the bound site)")],
    days: Annotated[int | None, typer.Option(help="有效天数 (days valid)")] = None,
    actor: Actor = "cli",
) -> None:
    """颁发可信标识并打印嵌入代码 (issue a mark; print its snippet and links)."""
    s = common.settings()
    with common.engine().begin() as conn:
        mark = trust_marks.issue(
            conn, common.catalog(), code, url, key=_key(conn),
            rule=trust_marks.rules(s.trust_mark_rules), now=common.now(),
            valid_days=days or s.trust_mark_valid_days, actor=actor,
        )  # fmt: skip
    _print(mark)


def _print(mark: trust_marks.Mark) -> None:
    s = common.settings()
    common.out.print(f"标识编号 (serial) {mark.serial}")
    common.out.print(f"有效期至 (expires) {common.china_time(mark.expires_at)}")
    common.out.print(f"核验页 (verification page) {links.absolute(s, mark.verify_path)}")
    common.out.print(f"二维码 (QR code) {links.absolute(s, mark.qr_path)}")
    common.out.print("嵌入代码 (snippet):")
    print(trust_mark_badge.snippet(mark, s.public_base_url, mark.uscc))


@app.command("show")
@common.reports_errors
def show(serial: Serial) -> None:
    """显示标识的链接与嵌入代码 (print a mark's links and snippet)."""
    with common.engine().connect() as conn:
        mark = trust_marks.get(conn, serial)
    _print(mark)


@app.command("qr")
@common.reports_errors
def qr(
    serial: Serial,
    out: Annotated[Path, typer.Option("--out", help="写入的 SVG 文件 (the SVG file to write)")],
) -> None:
    """导出标识的二维码 (write the mark's QR code as SVG)."""
    with common.engine().connect() as conn:
        mark = trust_marks.get(conn, serial)
    out.write_text(trust_mark_badge.qr_svg(links.absolute(common.settings(), mark.verify_path)))
    common.out.print(f"已写入 (written) {out}")


@app.command("verify")
@common.reports_errors
def verify(serial: Serial, sig: Annotated[str, typer.Option(help="链接上的签名 (sig)")]) -> None:
    """核验标识（与核验页相同）(verify a mark as its page does)."""
    s = common.settings()
    with common.engine().begin() as conn:
        v = trust_marks.verify(
            conn, common.catalog(), serial, sig, key=_key(conn),
            rule=trust_marks.rules(s.trust_mark_rules), now=common.now(),
        )  # fmt: skip
    common.out.print(f"{v.label} ({v.state}): {v.message_zh}")
    if not v.valid:
        raise typer.Exit(1)


@app.command("list")
@common.reports_errors
def list_(
    code: Annotated[str | None, typer.Option(help="只列此企业 (one company's)")] = None,
    as_json: common.JsonOpt = False,
    out_file: common.OutOpt = None,
) -> None:
    """列出可信标识 (list trust marks, newest first)."""
    with common.engine().connect() as conn:
        found = trust_marks.all_marks(conn, code=code)
    table = Table("编号 serial", "代码 USCC", "网站 site", "到期 expires", "状态 state")
    for m in found:
        state = f"已撤销 revoked: {m.revoked_reason}" if m.revoked_at else "已颁发 issued"
        table.add_row(m.serial, m.uscc, m.bound_url, common.china_time(m.expires_at), state)
    common.show(table, as_json, out_file)


@app.command("revoke")
@common.reports_errors
def revoke(
    serial: Serial,
    reason: Annotated[str, typer.Option(help="撤销理由 (reason, shown on the page)")],
    actor: Actor = "cli",
) -> None:
    """撤销可信标识 (revoke a mark; its badge then says so everywhere)."""
    with common.engine().begin() as conn:
        trust_marks.revoke(conn, serial, reason=reason, now=common.now(), actor=actor)
    common.out.print(f"已撤销 (revoked) {serial}")


@app.command("resign")
@common.reports_errors
def resign(actor: Actor = "cli") -> None:
    """用当前密钥重新签名 (re-sign every unrevoked mark after a key or algorithm change)."""
    with common.engine().begin() as conn:
        done = trust_marks.resign(conn, key=_key(conn), now=common.now(), actor=actor)
    common.out.print(f"已重新签名 {done} 个标识 (re-signed); 请企业更新嵌入代码")
