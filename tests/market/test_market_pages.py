"""The back office of trust marks and credit agencies (the centre's admins only), and the
``gongxin mark`` / ``gongxin agency`` commands: the same services, end to end."""

from __future__ import annotations

import re

import sqlalchemy as sa

from gongxin.db.market_access_tables import agency_queries
from gongxin.db.models import subjects
from gongxin.subjects.names import normalise_name
from tests.admin.conftest import Office, office
from tests.intake.helpers import AS_OF, make_uscc
from tests.support.cli import Cli
from tests.support.passwords import fast_argon2

__all__ = ["fast_argon2", "office"]


def _subject(engine: sa.Engine, n: int, name: str) -> str:
    code = make_uscc(n)
    with engine.begin() as conn:
        conn.execute(subjects.insert().values(
            uscc=code, name=name, name_norm=normalise_name(name), created_at=AS_OF,
            updated_at=AS_OF,
        ))  # fmt: skip
    return code


def test_the_centre_issues_shows_and_revokes_a_mark(office: Office) -> None:
    code = _subject(office.engine, 1, "放心购网络科技有限公司")
    office.login("boss")
    assert office.client.get("/admin/marks").status_code == 403  # a department admin
    office.login("root")
    page = office.client.get("/admin/marks")
    assert page.status_code == 200 and 'href="/admin/marks"' in page.text
    bad = office.post("/admin/marks", {"code": code, "bound_url": "ftp://x", "valid_days": 30},
                      office.page_csrf("/admin/marks"))  # fmt: skip
    assert bad.status_code == 400 and "bound_url" in bad.text
    form = {"code": code, "bound_url": "https://fangxingou.example/", "valid_days": 30}
    made = office.post("/admin/marks", form, office.page_csrf("/admin/marks"))
    assert made.status_code == 303
    detail = office.client.get(made.headers["location"])
    assert "已颁发可信标识" in detail.text and 'id="mark-state">有效<' in detail.text
    snippet = re.search(r'<textarea id="mark-snippet"[^>]*>([^<]+)</textarea>', detail.text)
    assert snippet and "&lt;a href=&#34;http://127.0.0.1:8000/marks/TM" in snippet.group(1)
    serial = made.headers["location"].split("/")[3].split("?")[0]
    revoked = office.post(f"/admin/marks/{serial}/revoke", {"reason": "资质已失效"},
                          office.page_csrf(f"/admin/marks/{serial}"))  # fmt: skip
    assert revoked.status_code == 303
    after = office.client.get(f"/admin/marks/{serial}")
    assert 'id="mark-state">已撤销<' in after.text and "资质已失效" in after.text


def test_the_centre_registers_suspends_and_reads_an_agency(office: Office) -> None:
    office.login("root")
    csrf = office.page_csrf("/admin/agencies")
    made = office.post("/admin/agencies", {"name": "示范征信有限公司", "kind": "enterprise",
                                            "licence_no": "京征备-001", "quota_per_day": 50},
                       csrf)  # fmt: skip
    assert made.status_code == 303
    listing = office.client.get("/admin/agencies?done=registered")
    assert "示范征信有限公司" in listing.text and "企业征信机构" in listing.text
    agency_id = re.search(r'action="/admin/agencies/(\d+)/suspend"', listing.text)
    assert agency_id
    path = f"/admin/agencies/{agency_id.group(1)}"
    assert office.post(f"{path}/suspend", {"reason": ""}, csrf).status_code == 400
    assert office.post(f"{path}/suspend", {"reason": "未按期报送"}, csrf).status_code == 303
    listing = office.client.get("/admin/agencies")
    assert "已暂停" in listing.text and "未按期报送" in listing.text
    statement = office.client.get(f"{path}/statement", params={"month": "2026-11"})
    assert statement.status_code == 200 and "本月无查询" in statement.text
    csv = office.client.get(f"{path}/statement.csv", params={"month": "2026-11"})
    assert csv.headers["content-type"].startswith("text/csv") and "查询编号" in csv.text
    office.login("eye")  # an auditor: not the centre's admin
    assert office.client.get("/admin/agencies").status_code == 403


def test_the_commands_issue_marks_and_run_an_agency(ready: Cli) -> None:
    engine = sa.create_engine(ready.url)
    try:
        code = _subject(engine, 2, "命令行商贸有限公司")
    finally:
        engine.dispose()
    issued = ready.ok("mark", "issue", code, "--url", "https://cli.example/", "--days", "7")
    serial = re.search(r"TM\d{8}[0-9A-F]{8}", issued.stdout)
    assert serial and "badge.svg?sig=" in issued.stdout
    sig = re.search(r"sig=([A-Za-z0-9_-]+)", issued.stdout)
    assert sig
    assert "有效" in ready.ok("mark", "verify", serial.group(0), "--sig", sig.group(1)).stdout
    ready.ok("mark", "revoke", serial.group(0), "--reason", "测试撤销")
    assert ready("mark", "verify", serial.group(0), "--sig", sig.group(1)).exit_code == 1
    ready.ok("agency", "add", "命令行征信有限公司", "--kind", "enterprise", "--licence", "X-1",
             "--quota", "5")  # fmt: skip
    answered = ready.ok("agency", "query", "命令行征信有限公司", code, "--purpose", "loan",
                        "--staff", "李四")  # fmt: skip
    assert "命令行商贸有限公司" in answered.stdout
    ready.ok("agency", "suspend", "命令行征信有限公司", "--reason", "测试暂停")
    refused = ready("agency", "query", "命令行征信有限公司", code, "--purpose", "loan",
                    "--staff", "李四")  # fmt: skip
    assert refused.exit_code != 0 and "测试暂停" in refused.stdout + refused.stderr
    assert ready.scalar(sa.select(sa.func.count()).select_from(agency_queries)) == 2
    month = AS_OF.strftime("%Y-%m")
    assert "查询" in ready.ok("agency", "statement", "命令行征信有限公司", "--month", month).stdout
