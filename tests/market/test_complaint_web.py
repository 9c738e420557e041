"""Complaints over HTTP on SQLite and PostgreSQL: the API and the portal form file the same
way, bad input gets the platform's error shape, filing is rate limited, the company replies
through the e-mailed link, the report page carries its chart data, table and CSV."""

from __future__ import annotations

import base64
import re
import sqlite3
import threading
import time
from datetime import date
from typing import Any

import pytest

from tests.market.helpers import PDF, accept, mails, token_of
from tests.workflows.helpers import COMPANY, World


def _body(**over: Any) -> dict[str, Any]:
    return {
        "company": COMPANY, "complainant": "李四", "phone": "010-12345678",
        "email": "lisi@example.org", "category": "false_advertising", "claim": "赔偿差价",
        "facts": "该公司网店宣称“全网最低价”，实际价格高于线下门店。",
        "evidence": [{"file_name": "截图.pdf",
                      "content_base64": base64.b64encode(PDF).decode()}],
    } | over  # fmt: skip


def test_api_files_follows_and_the_company_replies(world: World, client: Any) -> None:
    rules = client.get("/api/v1/complaints/rules").json()
    assert {"key": "false_advertising", "zh": "虚假宣传", "en": "false advertising"} in rules[
        "categories"
    ]
    made = client.post("/api/v1/complaints", json=_body())
    assert made.status_code == 201, made.text
    filed = made.json()
    assert filed["company_name"] == "北京承诺测试商贸有限公司"
    seen = client.post("/api/v1/complaints/lookup", json={"code": filed["query_code"]}).json()
    assert seen["state"] == "received" and seen["triage_due"] == "2026-12-01"  # Sun 22 Nov + 7
    with world.engine.connect() as conn:
        from gongxin.market.complaints import by_code

        complaint_id = by_code(conn, filed["query_code"]).id
    link = accept(world, complaint_id, date(2026, 11, 22))["link"]
    assert any(link in m.body for m in mails(world))
    answered = client.post(
        "/api/v1/complaints/reply", json={"token": token_of(link), "reply": "已核实并退还差价。"}
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["state_zh"] == "企业已答复" and answered.json()["in_time"] is True
    wrong = {"token": token_of(link)[:-3] + "abc", "reply": "伪造的答复内容"}
    forged = client.post("/api/v1/complaints/reply", json=wrong)
    assert forged.status_code == 404 and forged.json()["zh"].startswith("答复链接无效")
    rated = client.post("/api/v1/complaints/rating",
                        json={"code": filed["query_code"], "rating": "fair"})  # fmt: skip
    assert rated.json()["rating_zh"] == "基本满意"
    page = client.get("/complaints/reply/" + token_of(link))
    assert page.status_code == 200 and "已核实并退还差价。" in page.text and "李四" not in page.text


def test_bad_input_and_the_filing_limit(world: World, client: Any) -> None:
    unknown = client.post("/api/v1/complaints", json=_body(company="91110000MA00000000"))
    assert unknown.status_code in (400, 404)
    missing = client.post("/api/v1/complaints", json=_body(company="不存在商贸有限公司"))
    assert missing.status_code == 404 and missing.json()["details"]["search"].startswith(
        "/search?q="
    )
    not64 = [{"file_name": "a.pdf", "content_base64": "@@"}]
    bad64 = client.post("/api/v1/complaints", json=_body(evidence=not64))
    assert bad64.status_code == 400 and bad64.json()["details"]["field"] == "evidence"
    program = [{"file_name": "a.pdf", "content_base64": base64.b64encode(b"MZ\x90").decode()}]
    exe = client.post("/api/v1/complaints", json=_body(evidence=program))
    assert exe.status_code == 400 and "PDF、JPG 或 PNG" in exe.json()["zh"]
    page = client.post("/complaints", data={"company": "不存在商贸有限公司", "complainant": "李四",
                       "phone": "13800000000", "email": "a@b.cn", "category": "refund",
                       "claim": "退款", "facts": "付款后商家不发货也不退款。"})  # fmt: skip
    assert page.status_code == 404 and 'id="search-link"' in page.text
    assert "不存在商贸有限公司" in page.text  # the form keeps what was typed
    limited = client.post("/api/v1/complaints", json=_body())
    assert limited.status_code == 429 and "Retry-After" in limited.headers  # 6th in a minute
    assert client.post("/api/v1/complaints/lookup", json={"code": "nope"}).status_code == 404


def test_portal_form_and_the_report_page(world: World, client: Any) -> None:
    form = client.get("/complaints")
    assert form.status_code == 200 and 'name="evidence"' in form.text and "虚假宣传" in form.text
    # "can't find the company? search first": the link opens a page with the search box
    search = re.search(r'<a href="([^"]+)">信用信息查询</a>', form.text)
    assert search is not None
    opened = client.get(search.group(1))
    assert opened.status_code == 200 and 'action="/search"' in opened.text
    filed = client.post(
        "/complaints",
        data={"company": "北京承诺测试商贸有限公司", "complainant": "王五", "phone": "13900000000",
              "email": "wangwu@example.org", "category": "quality", "claim": "退货退款",
              "facts": "收到的电暖器无法加热，客服不予处理。"},
        files=[("evidence", ("照片.pdf", PDF, "application/pdf"))],
    )  # fmt: skip
    assert filed.status_code == 201 and 'id="query-code"' in filed.text
    report = client.get("/complaints/report?period=month&date=2026-11-10")
    assert report.status_code == 200
    assert "【投诉概况】" in report.text and "【投诉现状分析】" in report.text
    assert "【近期典型投诉案例】" in report.text and 'class="chart trend"' in report.text
    assert "/static/complaint-charts.js" in report.text and "<script>" not in report.text
    assert "本期信用投诉中心共收到投诉 <strong>1</strong> 件" in report.text
    csv = client.get("/api/v1/complaints/report.csv?period=month&date=2026-11-10")
    assert csv.headers["content-type"].startswith("text/csv") and "2026-11-22,1,0" in csv.text
    api = client.get("/api/v1/complaints/report?period=week&date=2026-11-22").json()
    assert api["received"] == 1 and api["label"] == "2026-11-16 至 2026-11-22"
    assert client.get("/complaints/report?period=year").status_code == 400
    assert client.get("/api/v1/complaints/report?date=2026-13-01").status_code == 400


def test_a_filing_waiting_for_the_write_lock_holds_up_no_other_request(
    world: World, client: Any, db_url: str
) -> None:
    """SQLite has one write lock for the whole database. While another process holds it, a
    complaint filed through the portal waits for it in the thread pool, not on the server's
    event loop: other requests are answered meanwhile, and the filing goes in once the lock
    is free."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the one write lock of a whole database is SQLite's")
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None,
                             check_same_thread=False)  # fmt: skip
    holder.execute("BEGIN IMMEDIATE")  # another process writing, say an intake
    events: list[tuple[str, int]] = []

    def release() -> None:
        holder.execute("COMMIT")
        events.append(("released", 0))

    def file() -> None:
        sent = {"company": COMPANY, "complainant": "王五", "phone": "13900000000",
                "email": "wangwu@example.org", "category": "quality", "claim": "退货退款",
                "facts": "收到的电暖器无法加热，客服不予处理。"}  # fmt: skip
        events.append(("filed", client.post("/complaints", data=sent).status_code))

    timer = threading.Timer(3.0, release)
    timer.start()
    filing = threading.Thread(target=file)
    filing.start()
    try:
        time.sleep(0.5)  # the filing is waiting for the lock by now
        events.append(("health", client.get("/health").status_code))
    finally:
        filing.join(60)
        timer.join()
        holder.close()
    assert events == [("health", 200), ("released", 0), ("filed", 201)]
