"""What the credit report shows and how: the summary page first, sections in 信用中国's order,
长期 for open ends, the issuer and the statement of use, rows never split across pages, the
download's file name, the 验证码 and the per-client limits."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest

from gongxin.reports import content as report_content
from gongxin.reports import issued
from gongxin.reports.pdf import render
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import (
    REGISTRATION,
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_csv,
)
from tests.support.http import TestClient

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
CODE = make_uscc(1)
NAME = "北京长城/测试:科技有限公司"
# longer than an X.509 name attribute allows (64 bytes): the demo certificate still gets made
ISSUER = "某某省某某市某某区发展和改革委员会（某某市公共信用信息中心）"


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    row = registration_row(1, 企业名称=NAME, 登记机关="北京市海淀区市场监督管理局")
    row |= {"登记状态": "存续", "营业期限至": "2099-12-31"}
    headers = [*REGISTRATION, "登记状态", "登记机关", "营业期限至"]
    path = write_csv(tmp_path / "reg.csv", headers, [[row.get(h, "") for h in headers]])
    store.ingest(path, "registration", as_of=NOW)
    recent = penalty_row(1, CF_JDRQ=(NOW - timedelta(days=40)).date().isoformat())
    store.ingest(store.penalties("p.csv", [recent]), as_of=NOW)
    return store


@pytest.fixture
def client(loaded: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=db_url, var_dir=tmp_path / "var", report_issuer=ISSUER,
        report_platform="信用某某", report_rate_per_minute=3, lookup_rate_limit=4,
    )  # fmt: skip
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as test_client:
        yield test_client


def pages(data: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, white space removed (CJK lines wrap anywhere)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    return [re.sub(r"\s+", "", page) for page in out.split("\f") if page.strip()]


def test_the_report_as_people_know_it(client: TestClient, tmp_path: Path) -> None:
    response = client.get(f"/api/v1/reports/{CODE}.pdf")
    assert response.status_code == 200
    text = pages(response.content, tmp_path)
    first, rest = text[0], "".join(text[1:])
    # the summary page comes first, alone: counts per dataset, before any record
    assert "信用概况" in first and "基础信息" not in first
    assert "行政处罚有1条" in first and "严重违法失信名单未列入" in first
    assert "行政处罚决定书文号" not in first
    assert response.headers["X-Report-Code"].replace("-", "") in first.replace("-", "")
    assert f"出具机构{ISSUER}" in first
    # the sections in the order of 信用中国's subject page
    order = ["一、基础信息", "二、行政管理信息", "行政许可", "行政处罚",
             "三、严重失信主体名单信息", "四、经营异常名录信息", "五、守信激励信息",
             "六、信用承诺信息", "报告说明"]  # fmt: skip
    at = [rest.index(heading) for heading in order]
    assert at == sorted(at), at
    # open ends read 长期, never the placeholder date
    assert "营业期限2015-03-02至长期" in rest and "登记状态存续" in rest
    assert "处罚有效期长期" in rest and "2099" not in "".join(text)
    # the statement of use names the issuer and the platform
    assert f"本报告由{ISSUER}依据信用某某" in rest and "请勿用于其他用途" in rest
    # the file name carries the company's name (RFC 5987), characters no file may hold dropped
    disposition = response.headers["Content-Disposition"]
    ascii_name = re.search(r'filename="([^"]+)"', disposition)
    assert ascii_name and ascii_name[1] == f"{response.headers['X-Report-No']}.pdf"
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert encoded
    assert unquote(encoded[1]) == "公共信用信息报告-北京长城测试科技有限公司-20261122.pdf"


def test_no_table_row_is_split_across_pages(tmp_path: Path) -> None:
    """Thirty penalties with facts many lines long: each fact starts and ends on one page."""
    fact = "当事人在其网店发布含有虚假内容的广告，误导消费者。" * 12
    items = tuple(
        report_content.Item(
            "2026-10-01",
            (
                report_content.Entry("行政处罚决定书文号", f"京海市监罚〔2026〕{i}号"),
                report_content.Entry("违法事实", f"始{i:02d}{fact}终{i:02d}"),
                report_content.Entry("处罚内容", "警告，罚款人民币壹万元整"),
            ),
        )
        for i in range(30)
    )
    built = report_content.ReportContent(
        "XY20261122" + "0" * 10, TODAY, CODE, NAME, (report_content.Entry("主体名称", NAME),),
        (report_content.Section("penalty", "行政处罚", items, "行政管理信息"),),
    )  # fmt: skip
    text = pages(render(built, "https://example.org/v"), tmp_path)
    assert len(text) > 4
    for i in range(30):
        starts = [n for n, page in enumerate(text) if f"始{i:02d}" in page]
        ends = [n for n, page in enumerate(text) if f"终{i:02d}" in page]
        assert starts and starts == ends, f"penalty {i} split: pages {starts} and {ends}"


def test_open_ends_read_long_term() -> None:
    assert report_content.shown_date("2099-12-31") == "长期"
    assert report_content.shown_date(date(9999, 12, 31)) == "长期"
    assert report_content.shown_date("2030-03-16") == "2030-03-16"
    assert report_content.shown_date("长期") == "长期"


def test_the_verification_code_verifies_a_paper_copy(client: TestClient) -> None:
    response = client.get(f"/api/v1/reports/{CODE}.pdf")
    printed = response.headers["X-Report-Code"]
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", printed)
    typed = printed.lower().replace("-", " ")  # as someone might type it
    verdict = client.get(f"/api/v1/reports/code/{typed}").json()
    assert verdict["valid"] is True and verdict["verification_code"] == printed
    assert verdict["report_no"] == response.headers["X-Report-No"]
    snapshot = verdict["snapshot"]
    assert snapshot["issuer"] == ISSUER
    summary = {(s["label"], s["value"]) for s in snapshot["summary"]}
    assert ("行政处罚", "有 1 条") in summary and ("经营异常名录", "未列入") in summary
    page = client.get("/reports/verify", params={"vcode": printed})
    assert page.status_code == 200
    assert "信用概况" in page.text and "有 1 条" in page.text and ISSUER in page.text
    assert printed in page.text
    unknown = client.get("/api/v1/reports/code/22222-22222").json()
    assert unknown["valid"] is False and unknown["snapshot"] is None
    malformed = client.get("/api/v1/reports/code/O0I1L-abc")
    assert malformed.status_code == 400 and "验证码" in malformed.json()["zh"]


def test_codes_are_unique_and_unambiguous() -> None:
    made = {issued.new_code() for _ in range(2000)}
    assert len(made) == 2000
    assert not set("".join(made)) & set("01ILO")


def test_verification_lookups_are_limited_per_client(client: TestClient) -> None:
    statuses = [client.get("/api/v1/reports/code/22222-22222").status_code for _ in range(4)]
    assert statuses == [200] * 4
    over = client.get("/reports/verify", params={"vcode": "22222-22222"})
    assert over.status_code == 429 and "过于频繁" in over.text
    other = client.get(
        "/api/v1/reports/code/22222-22222", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert other.status_code == 429  # a forged header from an untrusted peer changes nothing


def test_report_generation_is_limited_per_client(client: TestClient) -> None:
    for _ in range(3):
        assert client.get(f"/api/v1/reports/{CODE}.pdf").status_code == 200
    over = client.get(f"/api/v1/reports/{CODE}.pdf")
    assert over.status_code == 429 and "生成信用报告过于频繁" in over.json()["zh"]
    assert over.headers["Retry-After"]


def test_the_report_is_issued_in_the_sites_name_unless_overridden() -> None:
    """One name for pages and PDF: the report's issuer and platform default to the branding
    (承办单位; locality + platform), and GONGXIN_REPORT_* override them for reports only."""
    branded = Settings(brand_locality="示范市", brand_organiser="示范市公共信用信息中心")
    assert branded.report_issuer == "示范市公共信用信息中心"
    assert branded.report_platform == "示范市公共信用信息平台"
    assert Settings(brand_locality="示范市").report_issuer == "示范市公共信用信息中心"
    plain = Settings()
    assert (plain.report_issuer, plain.report_platform) == ("公共信用信息中心", "公共信用信息平台")
    own = Settings(brand_locality="示范市", report_issuer=ISSUER, report_platform="信用某某")
    assert (own.report_issuer, own.report_platform) == (ISSUER, "信用某某")


def test_a_branded_report_names_the_organiser_and_the_platform(
    loaded: Store, db_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=db_url, var_dir=tmp_path / "var", brand_locality="示范市",
        brand_organiser="示范市公共信用信息中心",
    )  # fmt: skip
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as branded:
        pdf = branded.get(f"/api/v1/reports/{CODE}.pdf")
    assert pdf.status_code == 200
    text = "".join(pages(pdf.content, tmp_path))
    assert "出具机构示范市公共信用信息中心" in text
    assert "本报告由示范市公共信用信息中心依据示范市公共信用信息平台" in text
