"""/admin/requests: the centre admin sees every provider's pending requests, overdue flagged,
and may answer them in the provider's stead."""

from __future__ import annotations

from datetime import date, timedelta

from gongxin.catalog import providers
from gongxin.catalog.registry import load_catalog
from gongxin.exchange import sharing_requests
from gongxin.identity import accounts
from gongxin.identity import departments as depts
from tests.admin.conftest import OTHER, PASSWORD, Office
from tests.intake.helpers import AS_OF, PROVIDER

PURPOSE = "政府采购供应商资格审查：核实是否为失信被执行人"


def _filed(office: Office) -> int:
    catalog = load_catalog()
    with office.engine.begin() as conn:
        providers.assign(conn, catalog, "dishonest_debtor", PROVIDER, now=AS_OF)
        filed = sharing_requests.submit(
            conn, catalog, depts.get(conn, OTHER), dataset="dishonest_debtor", purpose=PURPOSE,
            fields=["MD_ZTMC", "MD_AH"], period_start=AS_OF.date(), period_end=date(2027, 6, 30),
            now=AS_OF, reply_days=10, actor="cli",
        )  # fmt: skip
        accounts.add_user(
            conn, "deputy", department=OTHER, roles=["centre_admin"], password=PASSWORD, now=AS_OF
        )
    return filed.id


def _centre_section(html: str) -> str:
    assert "全部待答复申请" in html, html
    return html.split("全部待答复申请")[1].split("已答复的申请")[0]


def test_the_centre_admin_sees_every_pending_request_overdue_flagged(office: Office) -> None:
    rid = _filed(office)
    office.clock.now = AS_OF + timedelta(days=30)  # past the 10-working-day deadline
    office.login("root")
    section = _centre_section(office.client.get("/admin/requests").text)
    assert PURPOSE in section and "超期" in section and PROVIDER in section
    assert f"/admin/requests/{rid}/approve" in section  # the centre may answer it
    # a centre admin filed under another department sees the overview too, but answers only
    # where its department may (the centre, or a provider of the dataset)
    office.login("deputy")
    section = _centre_section(office.client.get("/admin/requests").text)
    assert PURPOSE in section and "超期" in section
    assert f"/admin/requests/{rid}/approve" not in section
    # a provider's admin sees it among its own; another department's clerk not to answer
    office.login("taxman")
    page = office.client.get("/admin/requests").text
    assert "全部待答复申请" not in page and "待本部门答复" in page
    office.login("root")
    answered = office.post(
        f"/admin/requests/{rid}/approve", {"note": "中心代为答复"}, office.page_csrf("/admin")
    )
    assert answered.status_code == 303
    section = _centre_section(office.client.get("/admin/requests").text)
    assert PURPOSE not in section  # answered: no longer pending
