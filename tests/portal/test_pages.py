"""The portal's HTML pages on both databases: search, tabs, masking, escaping, errors, the
双公示 columns and timeliness, and the credit report's download link and verification."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.intake.helpers import (
    PROVIDER,
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_registrations,
)
from tests.portal.fixtures import ANCIENT, CODE, NOW, RECENT
from tests.support.http import TestClient


def test_home_is_a_chinese_phone_page_with_a_search_box(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page.text
    assert 'action="/search"' in page.text and 'name="q"' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no external assets
    icon = client.get("/static/favicon.svg")  # named by every page: no request for a missing one
    assert 'rel="icon" href="/static/favicon.svg"' in page.text
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_search_finds_the_subject_and_escapes_its_name(client: TestClient) -> None:
    page = client.get("/search", params={"q": "script"})
    assert page.status_code == 200
    assert f'href="/subjects/{CODE}"' in page.text
    # escaped, the searched word highlighted
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in page.text
    assert "<script" not in page.text  # no live script tag anywhere
    assert "欧阳" not in page.text  # the unmasked legal representative is never shown


def test_subject_page_shows_masked_basics_and_only_the_visible_penalty(
    client: TestClient,
) -> None:
    basic = client.get(f"/subjects/{CODE}")
    assert basic.status_code == 200
    assert "基础信息" in basic.text and "行政处罚（1）" in basic.text
    assert "欧**" in basic.text and "欧阳娜娜" not in basic.text
    assert "&lt;script&gt;" in basic.text and "<script" not in basic.text
    penalties = client.get(f"/subjects/{CODE}", params={"tab": "penalty"})
    assert penalties.status_code == 200
    assert RECENT["CF_WSH"] in penalties.text and ANCIENT["CF_WSH"] not in penalties.text
    assert "行政处罚决定书文号" in penalties.text  # fields labelled by their Chinese names
    assert "张**" in penalties.text and "张三" not in penalties.text
    assert "长期" in penalties.text and "2099" not in penalties.text
    empty = client.get(f"/subjects/{CODE}", params={"tab": "honour"})
    assert empty.status_code == 200 and "暂无公示的守信激励信息" in empty.text


def test_search_results_are_paged(client: TestClient, store: Store, tmp_path: Path) -> None:
    rows = [registration_row(n) for n in range(2, 24)]  # 22 more subjects, 北京测试N商贸有限公司
    store.ingest(write_registrations(tmp_path / "more.csv", rows), "registration", as_of=NOW)
    first = client.get("/search", params={"q": "商贸"})
    # the page and one match more were read: more than 20, not how many more
    assert "找到 20 个以上主体，第 1 页" in first.text
    assert first.text.count('<a href="/subjects/') == 20
    assert "/search?q=%E5%95%86%E8%B4%B8&amp;page=2" in first.text and "上一页" not in first.text
    assert "下一页" in first.text
    second = client.get("/search", params={"q": "商贸", "page": "2"})
    assert "共找到 22 个主体" in second.text and "第 2 / 2 页" in second.text  # the end: exact
    assert second.text.count('<a href="/subjects/') == 2
    assert "上一页" in second.text and "下一页" not in second.text


def test_unknown_subject_is_a_helpful_404_page(client: TestClient) -> None:
    page = client.get(f"/subjects/{make_uscc(99)}")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "未找到" in page.text and "按名称查询" in page.text
    assert "no subject" not in page.text  # the public portal speaks Chinese only


@pytest.mark.parametrize(
    ("url", "params", "zh", "en"),
    [
        ("/subjects/91110108MA0000000X", {}, "代码格式有误", "malformed code"),
        (f"/subjects/{CODE}", {"tab": "nope"}, "未知的栏目", "unknown tab"),
        ("/search", {"q": ""}, "请输入名称", "enter a name"),
        ("/search", {"q": "北" * 101}, "查询内容过长", "longer than 100"),
        ("/search", {"q": "北京", "page": "0"}, "页码须从 1 开始", "page starts at 1"),
        ("/search", {"q": "北京", "page": "99"}, "页码超出范围", "page out of range"),
        ("/search", {"q": "北京", "page": "x"}, "页码须为正整数", "positive whole number"),
    ],
)
def test_bad_requests_are_400_pages_naming_the_problem(
    client: TestClient, url: str, params: dict[str, str], zh: str, en: str
) -> None:
    page = client.get(url, params=params)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "请求有误" in page.text and zh in page.text and en not in page.text  # Chinese only


# -- 双公示 ------------------------------------------------------------------------------------


def test_header_links_the_publicity_columns(client: TestClient) -> None:
    page = client.get("/")
    assert 'href="/shuanggongshi"' in page.text and "双公示" in page.text


def test_penalty_column_lists_the_public_penalty_linking_its_subject(client: TestClient) -> None:
    page = client.get("/shuanggongshi", params={"dataset": "penalty"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "行政许可" in page.text and "行政处罚" in page.text
    assert 'class="active" aria-current="page">行政处罚' in page.text
    assert RECENT["CF_WSH"] in page.text and ANCIENT["CF_WSH"] not in page.text
    assert f'<a href="/subjects/{CODE}">{RECENT["CF_XDR_MC"]}</a>' in page.text
    assert RECENT["CF_JDRQ"] in page.text and RECENT["CF_CFJG"] in page.text
    assert "张三" not in page.text and "下一页" not in page.text
    assert client.get("/shuanggongshi").text.count(RECENT["CF_WSH"]) == 1  # penalty by default


def test_a_penalty_waiting_for_its_subject_is_listed_without_a_broken_link(
    client: TestClient, store: Store
) -> None:
    waiting = make_uscc(71)  # not in the register: its record waits to be linked
    row = penalty_row(71, CF_XDR_MC="北京待关联商贸有限公司", CF_JDRQ=RECENT["CF_JDRQ"])
    store.ingest(store.penalties("waiting.csv", [row]), as_of=NOW)
    page = client.get("/shuanggongshi", params={"dataset": "penalty"})
    assert "北京待关联商贸有限公司" in page.text and row["CF_WSH"] in page.text
    assert f'href="/subjects/{waiting}"' not in page.text
    assert client.get(f"/subjects/{waiting}").status_code == 404
    assert f'<a href="/subjects/{CODE}">{RECENT["CF_XDR_MC"]}</a>' in page.text


def test_column_filters_and_the_empty_licence_column(client: TestClient) -> None:
    other = client.get("/shuanggongshi", params={"dataset": "penalty", "department": "别的部门"})
    assert other.status_code == 200 and RECENT["CF_WSH"] not in other.text
    assert 'value="别的部门"' in other.text  # the form keeps the filter
    own = client.get("/shuanggongshi", params={"department": PROVIDER})
    assert RECENT["CF_WSH"] in own.text
    later = client.get("/shuanggongshi", params={"since": NOW.date().isoformat()})
    assert RECENT["CF_WSH"] not in later.text and "暂无符合条件的公示行政处罚信息" in later.text
    dated = client.get("/shuanggongshi", params={"since": RECENT["CF_JDRQ"], "until": ""})
    assert RECENT["CF_WSH"] in dated.text
    licences = client.get("/shuanggongshi", params={"dataset": "licence"})
    assert licences.status_code == 200 and "暂无符合条件的公示行政许可信息" in licences.text


def test_column_pages_keep_the_filters(client: TestClient, store: Store) -> None:
    day = (NOW - timedelta(days=60)).date().isoformat()
    rows = [penalty_row(n, CF_JDRQ=day) for n in range(3, 24)]  # 21 more: 22 public in all
    store.ingest(store.penalties("more.csv", rows), as_of=NOW)
    first = client.get("/shuanggongshi", params={"department": PROVIDER})
    assert first.text.count("<tr>") == 21  # header + 20
    assert "共 <strong>22</strong> 条" in first.text  # the total of the filtered column
    assert "第 1 / 2 页" in first.text and "上一页" not in first.text
    assert f"dataset=penalty&amp;department={quote(PROVIDER)}&amp;page=2" in first.text
    second = client.get("/shuanggongshi", params={"department": PROVIDER, "page": "2"})
    assert second.text.count("<tr>") == 3 and "上一页" in second.text
    assert "下一页" not in second.text


def test_column_escapes_names_and_filters(client: TestClient, store: Store) -> None:
    row = penalty_row(5, CF_XDR_MC="<b>坏</b>公司", CF_JDRQ=RECENT["CF_JDRQ"])
    store.ingest(store.penalties("bad.csv", [row]), as_of=NOW)
    page = client.get("/shuanggongshi", params={"department": '"><script>x</script>'})
    assert page.status_code == 200
    assert "&#34;&gt;&lt;script&gt;x&lt;/script&gt;" in page.text and "<script" not in page.text
    listed = client.get("/shuanggongshi")
    assert "&lt;b&gt;坏&lt;/b&gt;公司" in listed.text and "<b>" not in listed.text


@pytest.mark.parametrize(
    ("params", "status", "zh", "en"),
    [
        ({"dataset": "registration"}, 404, "双公示栏目只有", "the columns are"),
        ({"page": "0"}, 400, "页码须从 1 开始", "page starts at 1"),
        ({"page": "x"}, 400, "页码须为正整数", "positive whole number"),
        ({"page": "9"}, 400, "页码超出范围", "page out of range"),
        ({"since": "2026-13-01"}, 400, "决定日期起格式有误", "must be a date"),
        ({"until": "<i>昨天</i>"}, 400, "决定日期止格式有误", "must be a date"),
    ],
)
def test_bad_column_requests_are_error_pages(
    client: TestClient, params: dict[str, str], status: int, zh: str, en: str
) -> None:
    page = client.get("/shuanggongshi", params=params)
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert zh in page.text and en not in page.text and "<i>" not in page.text  # Chinese only


def test_timeliness_page_counts_per_department_without_names(client: TestClient) -> None:
    page = client.get("/shuanggongshi/timeliness", params={"period": "all"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert PROVIDER in page.text and "0.0%" in page.text  # both penalties arrived late
    assert "逾期报送的记录" in page.text and ANCIENT["CF_WSH"] in page.text  # with 文书号
    assert RECENT["CF_JDRQ"] in page.text and "2021-01-05" in page.text
    assert NOW.date().isoformat() in page.text  # the arrival date
    assert RECENT["CF_XDR_MC"] not in page.text and ANCIENT["CF_XDR_MC"] not in page.text
    recent = client.get("/shuanggongshi/timeliness", params={"since": "2022-01-01"})
    assert RECENT["CF_WSH"] in recent.text and "2021-01-05" not in recent.text
    none = client.get("/shuanggongshi/timeliness", params={"until": "2020-01-01"})
    assert "暂无行政许可、行政处罚记录" in none.text
    bad = client.get("/shuanggongshi/timeliness", params={"since": "<b>x"})
    assert bad.status_code == 400 and "决定日期起格式有误" in bad.text and "<b>" not in bad.text
    for page in ("0", "-3", "99999999999999999999", "x"):
        wrong = client.get("/shuanggongshi/timeliness", params={"period": "all", "page": page})
        assert wrong.status_code == 400 and "页码" in wrong.text
    odd = client.get("/shuanggongshi/timeliness", params={"period": "<b>forever"})
    assert odd.status_code == 400 and "统计期间有误" in odd.text and "<b>" not in odd.text


def test_timeliness_page_defaults_to_this_month_with_a_period_selector(
    client: TestClient,
) -> None:
    page = client.get("/shuanggongshi/timeliness")
    assert '<select name="period">' in page.text
    assert '<option value="this-month" selected>本月</option>' in page.text
    # both penalties were decided before November 2026: none in this month
    assert "暂无行政许可、行政处罚记录" in page.text
    assert '2026-11-01</span> 至 <span class="nowrap">2026-11-22</span>' in page.text
    last = client.get("/shuanggongshi/timeliness", params={"period": "last-month"})
    assert '<option value="last-month" selected>' in last.text
    assert RECENT["CF_WSH"] in last.text and ANCIENT["CF_WSH"] not in last.text


def test_timeliness_page_pages_the_late_records(client: TestClient, store: Store) -> None:
    late = [penalty_row(100 + n, CF_JDRQ="2026-10-0" + str(1 + n % 9)) for n in range(60)]
    store.ingest(store.penalties("late.csv", late), as_of=NOW)
    first = client.get("/shuanggongshi/timeliness", params={"period": "last-month"})
    assert first.text.count('<td data-label="决定文书号">') == 50
    assert "下一页" in first.text and "上一页" not in first.text
    second = client.get("/shuanggongshi/timeliness", params={"period": "last-month", "page": "2"})
    assert second.text.count('<td data-label="决定文书号">') == 11  # 60 + RECENT
    assert "上一页" in second.text and "下一页" not in second.text


def test_timeliness_share_is_a_percentage(client: TestClient, store: Store) -> None:
    on_time = penalty_row(7, CF_JDRQ=(NOW - timedelta(days=1)).date().isoformat())
    store.ingest(store.penalties("fresh.csv", [on_time]), as_of=NOW)
    page = client.get("/shuanggongshi/timeliness", params={"period": "all"})
    assert "33.3%" in page.text and RECENT["CF_WSH"] in page.text


# -- the credit report: download and verification ---------------------------------------------


def test_subject_page_links_the_pdf_report(client: TestClient) -> None:
    page = client.get(f"/subjects/{CODE}", params={"tab": "penalty"})
    assert f'href="/api/v1/reports/{CODE}.pdf" download>下载信用报告 (PDF)</a>' in page.text
    pdf = client.get(f"/api/v1/reports/{CODE}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def _issued(client: TestClient) -> dict[str, str]:
    pdf = client.get(f"/api/v1/reports/{CODE}.pdf")
    return {
        "no": pdf.headers["X-Report-No"],
        "code": CODE,
        "sha256": pdf.headers["X-Report-SHA256"],
    }


def test_verify_page_shows_a_genuine_report_as_valid(client: TestClient) -> None:
    issued = _issued(client)
    page = client.get("/reports/verify", params=issued)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<strong>有效</strong>" in page.text and "无变化" in page.text and "一致" in page.text
    # the public portal speaks Chinese only: no English gloss beside the verdict
    assert "valid" not in page.text and "matches" not in page.text and 'lang="en"' not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script" not in page.text
    assert f'value="{issued["sha256"]}"' in page.text  # the form keeps what was checked
    by_path = client.get(
        f"/reports/verify/{issued['no']}", params={"code": CODE, "sha256": issued["sha256"]}
    )
    assert by_path.status_code == 200 and "<strong>有效</strong>" in by_path.text


def test_verify_page_rejects_an_altered_report(client: TestClient) -> None:
    issued = _issued(client) | {"sha256": "0" * 64}
    page = client.get("/reports/verify", params=issued)
    assert page.status_code == 200
    assert "<strong>无效</strong>" in page.text and "不一致" in page.text
    assert "not valid" not in page.text and "does not match" not in page.text


def test_verify_page_without_input_is_the_form(client: TestClient) -> None:
    page = client.get("/reports/verify")
    assert page.status_code == 200 and 'name="no"' in page.text and 'name="sha256"' in page.text
    assert "有效" not in page.text and 'role="alert"' not in page.text
    assert 'href="/reports/verify"' in client.get("/").text


@pytest.mark.parametrize(
    ("params", "status", "zh", "en"),
    [
        ({"no": "XY2026", "code": CODE, "sha256": "ab"}, 400, "报告编号格式有误", "malformed"),
        ({"no": "<b>x</b>", "code": "", "sha256": ""}, 400, "请填写报告编号", "enter the report"),
    ],
)
def test_verify_page_bad_input(
    client: TestClient, params: dict[str, str], status: int, zh: str, en: str
) -> None:
    page = client.get("/reports/verify", params=params)
    assert page.status_code == status and zh in page.text
    assert en not in page.text  # the portal speaks Chinese only (the API adds the English)
    assert "<b>" not in page.text and 'name="no"' in page.text  # the form stays


def test_verify_page_for_an_unknown_subject_is_404(client: TestClient) -> None:
    issued = _issued(client) | {"code": make_uscc(99)}
    page = client.get("/reports/verify", params=issued)
    assert page.status_code == 404 and 'role="alert"' in page.text


def test_verify_page_shows_what_the_report_said_when_issued(client: TestClient) -> None:
    issued = _issued(client)
    page = client.get("/reports/verify", params=issued)
    assert 'id="snapshot"' in page.text and "出具时的报告内容" in page.text
    snapshot = page.text.split('id="snapshot"')[1]
    assert "基础信息" in snapshot and "&lt;script&gt;alert(1)&lt;/script&gt;" in snapshot
    assert "出具时间" in page.text
    altered = client.get("/reports/verify", params=issued | {"sha256": "0" * 64})
    assert 'id="snapshot"' not in altered.text
