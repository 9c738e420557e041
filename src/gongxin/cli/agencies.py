"""``gongxin agency``: credit agencies (征信机构) — register, list, suspend and resume them,
record a person's authorisation, query as an agency, print or export the monthly statement,
purge old query logs. The same services as /admin/agencies and /api/v1/agency."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gongxin.cli import common
from gongxin.clock import local_date
from gongxin.market import agencies, agency_queries, agency_statements

app = typer.Typer(help="征信机构接入 (credit agencies)", no_args_is_help=True)
Name = Annotated[str, typer.Argument(help="机构名称 (the agency's name)")]
Actor = Annotated[str, typer.Option(help="操作人 (who acts, for the audit log)")]


def _rules() -> agencies.Rules:
    return agencies.rules(common.settings().agency_rules)


@app.command("add")
@common.reports_errors
def add(
    name: Name,
    kind: Annotated[str, typer.Option(help="personal | enterprise | rating | other")],
    licence: Annotated[str, typer.Option(help="许可或备案编号 (licence or filing number)")],
    uscc: Annotated[str | None, typer.Option(help="统一社会信用代码 (USCC)")] = None,
    quota: Annotated[int | None, typer.Option(help="日查询配额 (queries per day)")] = None,
    actor: Actor = "cli",
) -> None:
    """登记征信机构 (register an agency; then: gongxin key create --dept NAME --scope agency)."""
    with common.engine().begin() as conn:
        made = agencies.register(
            conn, name, uscc=uscc, kind=kind, licence_no=licence,
            quota_per_day=quota or common.settings().agency_quota_per_day, rule=_rules(),
            now=common.now(), actor=actor,
        )  # fmt: skip
    common.out.print(f"已登记 (registered) {made.name}，编号 (id) {made.id}")


@app.command("list")
@common.reports_errors
def list_(as_json: common.JsonOpt = False, out_file: common.OutOpt = None) -> None:
    """列出征信机构 (list agencies)."""
    with common.engine().connect() as conn:
        found = agencies.all_agencies(conn)
    kinds = _rules().kinds
    table = Table("编号 id", "机构 name", "类型 kind", "编号 licence", "配额 quota", "状态 status")
    for a in found:
        state = "正常 active" if a.active else f"暂停 suspended: {a.status_reason}"
        table.add_row(str(a.id), a.name, kinds.get(a.kind, a.kind), a.licence_no,
                      str(a.quota_per_day), state)  # fmt: skip
    common.show(table, as_json, out_file)


@app.command("suspend")
@common.reports_errors
def suspend(
    name: Name,
    reason: Annotated[str, typer.Option(help="暂停理由 (reason, told to the agency)")],
    actor: Actor = "cli",
) -> None:
    """暂停征信机构的查询 (suspend an agency: its queries get 403 with the reason)."""
    with common.engine().begin() as conn:
        agency = agencies.by_name(conn, name)
        agencies.set_status(conn, agency.id, suspend=True, reason=reason, now=common.now(),
                            actor=actor)  # fmt: skip
    common.out.print(f"已暂停 (suspended) {name}")


@app.command("resume")
@common.reports_errors
def resume(name: Name, actor: Actor = "cli") -> None:
    """恢复征信机构的查询 (resume an agency)."""
    with common.engine().begin() as conn:
        agency = agencies.by_name(conn, name)
        agencies.set_status(conn, agency.id, suspend=False, reason="", now=common.now(),
                            actor=actor)  # fmt: skip
    common.out.print(f"已恢复 (resumed) {name}")


@app.command("authorise")
@common.reports_errors
def authorise(
    name: Name,
    person_id: Annotated[str, typer.Option(help="公民身份号码 (kept only as a keyed hash)")],
    reference: Annotated[str, typer.Option(help="授权书编号 (the consent's reference)")],
    purpose: Annotated[str, typer.Option(help="用途代码 (purpose code)")],
    until: Annotated[str, typer.Option(help="授权截止日 YYYY-MM-DD (valid until)")],
    actor: Actor = "cli",
) -> None:
    """登记自然人授权 (record a person's written authorisation for an agency)."""
    s = common.settings()
    now = common.now()
    try:
        last = date.fromisoformat(until)
    except ValueError:
        raise typer.BadParameter(
            f"日期应为 YYYY-MM-DD：{until} (date must be YYYY-MM-DD)"
        ) from None
    with common.engine().begin() as conn:
        made = agencies.authorise(
            conn, agencies.by_name(conn, name), person_id=person_id, reference=reference,
            purpose=purpose, valid_from=local_date(now), valid_until=last, rule=_rules(),
            match_key=s.match_key, now=now, actor=actor,
        )  # fmt: skip
    common.out.print(f"已登记授权 (recorded) {made.reference}，至 (until) {made.valid_until}")


@app.command("query")
@common.reports_errors
def query(
    name: Name,
    subject: Annotated[str, typer.Argument(help="代码或公民身份号码 (code or ID number)")],
    purpose: Annotated[str, typer.Option(help="用途代码 (purpose code)")],
    staff: Annotated[str, typer.Option(help="查询人员 (staff member)")],
    authorisation: Annotated[str | None, typer.Option(help="授权书编号 (for a person)")] = None,
) -> None:
    """以征信机构身份查询（记入查询日志）(query as an agency; logged like an API query)."""
    s = common.settings()
    with common.engine().begin() as conn:
        answer = agency_queries.run(
            conn, common.catalog(), agencies.by_name(conn, name),
            agency_queries.Query(subject, purpose, staff, authorisation), rule=_rules(),
            match_key=s.match_key, negative_years=s.agency_negative_years, now=common.now(),
            key_prefix=None,
        )  # fmt: skip
    if answer.refusal is not None:
        raise answer.refusal
    common.out.print(f"查询编号 (query) {answer.query_id}: {answer.name or answer.subject_code}")
    for r in answer.records:
        common.out.print(f"  {r['event_date'] or ''} {r['dataset_name']}")
    common.out.print(
        f"提供 {len(answer.records)} 条，过期不良信息未提供 {answer.withheld_negative} 条；"
        f"今日已用 {answer.used_today}/{answer.quota_per_day}"
    )


@app.command("statement")
@common.reports_errors
def statement(
    name: Name,
    month: Annotated[str, typer.Option(help="月份 YYYY-MM")],
    out: Annotated[Path | None, typer.Option("--out", help="写入 CSV 文件 (write CSV)")] = None,
) -> None:
    """月度对账单 (an agency's monthly statement; --out writes its queries as CSV)."""
    with common.engine().connect() as conn:
        found = agency_statements.statement(conn, agencies.by_name(conn, name), month)
    common.out.print(f"{found.agency.name} {found.month}: 查询 {found.total} 次，已查询 "
                     f"{found.served} 次 (queries, served)")  # fmt: skip
    for outcome, n in sorted(found.outcomes.items()):
        common.out.print(f"  {agency_statements.OUTCOME_NAMES.get(outcome, outcome)} {n}")
    if out is not None:
        text = agency_statements.statement_csv(found, _rules().purposes)
        out.write_text(text, encoding="utf-8-sig")
        common.out.print(f"已写入 (written) {out}")


@app.command("purge")
@common.reports_errors
def purge() -> None:
    """删除超过保存年限的查询日志 (delete query logs past GONGXIN_AGENCY_LOG_YEARS)."""
    s = common.settings()
    with common.engine().begin() as conn:
        done = agency_statements.purge(conn, years=s.agency_log_years, now=common.now(),
                                       actor="cli")  # fmt: skip
    common.out.print(f"已删除 {done} 条 (deleted)")
