"""/admin/audit: the auditor reads the log (filtered, paged, exported) and the chain's verdict;
reading it is audited; departments' users may not read it."""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from gongxin.audit import anchor as audit_anchor
from gongxin.audit import log as audit
from gongxin.db.audit_tables import audit_log
from gongxin.identity import departments
from tests.admin.conftest import CENTRE, OTHER, Office
from tests.intake.helpers import AS_OF


def _rows(html: str) -> list[int]:
    """The seq numbers of the entries a page lists, in order."""
    return [int(n) for n in re.findall(r"<tr(?: class=\"broken\")?>\s*<td>(\d+)</td>", html)]


def _reads(office: Office) -> list[audit.Entry]:
    with office.engine.connect() as conn:
        return audit.entries(conn, action="audit.read")


def test_the_auditor_reads_entries_and_the_verdict(office: Office) -> None:
    office.login("eye")
    page = office.client.get("/admin/audit")
    assert page.status_code == 200, page.text
    assert 'href="/admin/audit"' in page.text  # in the nav
    assert "审计日志完整" in page.text and "the audit log is intact" in page.text
    seqs = _rows(page.text)
    assert seqs and seqs == sorted(seqs, reverse=True)  # newest first
    assert "department.add" in page.text and CENTRE in page.text
    assert '"kind":"centre","parent_id":null' in page.text.replace(
        "&#34;", '"'
    )  # detail as compact JSON
    (read,) = _reads(office)
    assert (read.actor, read.target, read.detail["format"]) == ("user:eye", "audit_log", "page")
    assert read.detail["rows"] == len(seqs)
    assert office.client.get("/admin/audit").status_code == 200
    assert len(_reads(office)) == 2  # every read is traceable
    office.login("root")
    assert office.client.get("/admin/audit").status_code == 200  # centre admins too


def test_a_tampered_entry_shows_as_broken(office: Office) -> None:
    with office.engine.begin() as conn:
        conn.execute(
            audit_log.update().where(audit_log.c.seq == 2).values(detail={"kind": "forged"})
        )
    office.login("eye")
    page = office.client.get("/admin/audit").text
    assert "哈希链断裂" in page and "审计日志第 2 条的内容与其哈希不符" in page
    assert "首个异常条目：第 2 条" in page and "was edited" in page
    assert 'class="broken"' in page


def test_department_users_may_not_read_the_log(office: Office) -> None:
    for who in ("clerk", "boss", "taxman"):
        office.login(who)
        page = office.client.get("/admin", follow_redirects=False)
        assert 'href="/admin/audit"' not in page.text  # no link either
        assert office.client.get("/admin/audit").status_code == 403
        assert office.client.get("/admin/audit/export.csv").status_code == 403
    assert _reads(office) == []


def test_filters_and_paging(office: Office) -> None:
    with office.engine.begin() as conn:
        other = departments.get(conn, OTHER)
        for n in range(60):
            audit.record(
                conn, actor="key:demo0001", action="exchange.read", target=f"dataset:x page:{n}",
                now=AS_OF + timedelta(days=3, minutes=n), department_id=other.id,
                purpose="执法检查",
            )  # fmt: skip
    office.login("eye")
    by_action = office.client.get("/admin/audit", params={"action": "department.add"}).text
    assert len(_rows(by_action)) == 3 and "exchange.read</code>" not in by_action
    by_actor = office.client.get("/admin/audit", params={"actor": "key:demo0001"}).text
    first = _rows(by_actor)
    assert len(first) == 50 and "page:59" in by_actor and "更早" in by_actor
    older = re.search(r'href="/admin/audit\?([^"]*before=\d+[^"]*)"', by_actor)
    assert older, by_actor
    second = office.client.get("/admin/audit?" + older.group(1).replace("&amp;", "&")).text
    assert len(_rows(second)) == 10 and max(_rows(second)) < min(first)
    by_dept = office.client.get("/admin/audit", params={"department": OTHER}).text
    assert "执法检查" in by_dept and "user:" not in by_dept.split("<tbody>")[1]
    day = (AS_OF + timedelta(days=3)).date().isoformat()
    one_day = office.client.get("/admin/audit", params={"from": day, "to": day}).text
    assert "page:59<" in one_day and "department.add" not in one_day.split("<tbody>")[1]
    before = office.client.get("/admin/audit", params={"to": "2020-01-01"}).text
    assert "没有符合条件的条目" in before
    bad = office.client.get("/admin/audit", params={"from": "2026-13-01"})
    assert bad.status_code == 400 and "不是日期" in bad.text
    reads = _reads(office)
    assert reads[0].detail["filters"] == {"action": "department.add"}
    assert {"since": day, "until": day} == reads[-2].detail["filters"]


def test_csv_export_with_filters_is_formula_safe_and_audited(office: Office) -> None:
    with office.engine.begin() as conn:
        audit.record(
            conn, actor="cli", action="grant.note", target="=HYPERLINK(\"http://x\")",
            now=AS_OF, purpose="+danger", detail={"n": 1},
        )  # fmt: skip
    office.login("eye")
    got = office.client.get("/admin/audit/export.csv", params={"action": "grant.note"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    assert got.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["序号", "时间", "操作者", "部门", "动作"]
    assert len(rows) == 2
    row = rows[1]
    assert row[4] == "grant.note" and row[5] == '\'=HYPERLINK("http://x")'
    assert row[6] == "'+danger" and row[7] == '{"n":1}'
    everything = office.client.get("/admin/audit/export.csv")
    lines = list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig"))))
    assert any(r[4] == "department.add" for r in lines[1:])
    formats = [e.detail["format"] for e in _reads(office)]
    assert formats == ["csv", "csv"]
    with office.engine.connect() as conn:
        assert audit.verify(conn).ok
        total = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
    assert len(lines) - 1 == total - 1  # all but the export's own entry


def test_the_page_checks_the_signed_anchors(office: Office, tmp_path: Path) -> None:
    office.login("eye")
    assert "未配置审计锚点" in office.client.get("/admin/audit").text
    key = tmp_path / "anchor.key"
    key.write_text(secrets.token_hex(32))
    settings = office.settings.model_copy(
        update={"audit_anchor_file": tmp_path / "anchors.jsonl", "audit_anchor_key_file": key}
    )
    office.client.app.state.settings = settings  # type: ignore[attr-defined]
    audit_anchor.anchor(office.engine, settings, AS_OF + timedelta(days=1))
    page = office.client.get("/admin/audit").text
    assert "审计日志与全部 1 个签名锚点一致" in page
    with office.engine.begin() as conn:
        conn.execute(sa.delete(audit_log))  # a wipe: the chain alone would call it intact
    page = office.client.get("/admin/audit").text
    assert "签名锚点不符" in page and "审计日志被清空" in page
