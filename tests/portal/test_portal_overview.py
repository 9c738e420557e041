"""The portal as a citizen meets it (issue 14): the credit overview with registration facts,
search by several keywords and bracket-less names with highlights and status tags, a wrong
check character told as such, the 双公示 column's filters and columns, a portal 404 for every
unknown address, and the branding settings in every page's footer. Both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from gongxin.identity import authorities
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import (
    AUTHORITY,
    PROVIDER,
    REGISTRATION,
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_csv,
    wrong_check,
)
from tests.portal.fixtures import NOW
from tests.support.http import TestClient

HTML = {"accept": "text/html,application/xhtml+xml"}
OTHER = "北京市朝阳区市场监督管理局"
CODE = make_uscc(301)
NAME = "北京星河科技（海淀）有限公司"
CLOSED = make_uscc(302)
BRAND = {
    "brand_locality": "示范市",
    "brand_host": "示范市发展和改革委员会",
    "brand_phone": "010-12345678",
    "brand_icp": "京ICP备12345678号",
    "brand_site_code": "1100000001",
    "brand_psb": "京公网安备 11010502000001号",
}
HEADERS = [*REGISTRATION, "登记状态", "登记机关", "营业期限至"]


def _load(store: Store, folder: Path) -> None:
    regs = [
        registration_row(301, 企业名称=NAME, 统一社会信用代码=CODE) | {
            "登记状态": "存续", "登记机关": "示范市海淀区市场监督管理局",
            "营业期限至": "2099-12-31",
        },
        registration_row(302, 企业名称="北京星河贸易有限公司", 统一社会信用代码=CLOSED) | {
            "登记状态": "注销", "登记机关": "示范市朝阳区市场监督管理局",
            "营业期限至": "2030-06-30",
        },
    ]  # fmt: skip
    path = write_csv(folder / "reg.csv", HEADERS, ([r.get(h, "") for h in HEADERS] for r in regs))
    store.ingest(path, "registration", as_of=NOW)
    with store.engine.begin() as conn:  # the provider files for a second authority too
        authorities.add(conn, PROVIDER, [OTHER], now=NOW)
    day = (NOW - timedelta(days=30)).date().isoformat()
    rows = [
        penalty_row(301, CF_XDR_MC=NAME, CF_XDR_SHXYM=CODE, CF_JDRQ=day,
                    CF_WSH="京海市监罚〔2026〕301号", CF_NR_FK="0.5"),
        penalty_row(302, CF_XDR_MC="北京星河贸易有限公司", CF_XDR_SHXYM=CLOSED, CF_JDRQ=day,
                    CF_CFJG=OTHER, CF_WFXW="无照经营", CF_WSH="京朝市监罚〔2026〕302号"),
    ] + [penalty_row(n, CF_JDRQ=day) for n in range(303, 326)]  # fmt: skip
    store.ingest(store.penalties("p.csv", rows), as_of=NOW)


@pytest.fixture
def site(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    _load(store, tmp_path)
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var", **BRAND)
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as client:
        yield client


def test_the_subject_page_opens_with_its_credit_overview(site: TestClient) -> None:
    page = site.get(f"/subjects/{CODE}")
    assert page.status_code == 200
    text = page.text
    assert text.index("信用概况") < text.index('class="tabs"')  # before the tabs
    assert "<strong>1</strong><span>有效期内行政处罚</span>" in text
    assert "<strong>0</strong><span>惩戒类名单</span>" in text and "未列入联合奖惩名单" in text
    assert '<span class="tag ok">存续</span>' in text
    assert "登记机关：示范市海淀区市场监督管理局" in text
    assert '营业期限：<span class="date">2015-03-02 至 长期</span>' in text
    closed = site.get(f"/subjects/{CLOSED}")
    assert '<span class="tag bad">注销</span>' in closed.text and "至 2030-06-30" in closed.text


def test_search_takes_several_keywords_and_names_without_brackets(site: TestClient) -> None:
    both = site.get("/search", params={"q": "星河 科技"})
    assert both.status_code == 200 and f'href="/subjects/{CODE}"' in both.text
    assert f'href="/subjects/{CLOSED}"' not in both.text  # every keyword must occur
    assert "北京<mark>星河科技</mark>（海淀）有限公司" in both.text  # adjacent keywords: one mark
    assert '<span class="tag ok">存续</span>' in both.text
    some = site.get("/search", params={"q": "星河"})
    assert '<span class="tag bad">注销</span>' in some.text and "共找到 2 个主体" in some.text
    assert "北京<mark>星河</mark>贸易有限公司" in some.text
    for typed in ("星河科技海淀有限公司", "星河科技(海淀)有限责任公司", "星河科技（海淀）"):
        found = site.get("/search", params={"q": typed})
        assert f'href="/subjects/{CODE}"' in found.text, typed
        assert "<mark>" in found.text, typed


def test_a_code_with_a_wrong_check_character_is_told_so(site: TestClient) -> None:
    page = site.get("/search", params={"q": wrong_check(CODE)}, headers=HTML)
    assert page.status_code == 400 and "校验码错误" in page.text
    assert f"应为 {CODE[-1]}" in page.text and "未找到匹配的主体" not in page.text
    api = site.get("/api/v1/subjects", params={"q": wrong_check(CODE)})
    assert api.status_code == 400 and "校验码错误" in api.json()["zh"]


def test_shuanggongshi_filters_by_authority_and_by_name_or_number(site: TestClient) -> None:
    page = site.get("/shuanggongshi")
    assert "共 <strong>25</strong> 条" in page.text and "第 1 / 2 页" in page.text
    for column in ("违法行为", "处罚内容", "罚没金额", "处罚机关", "决定文书号"):
        assert f">{column}</th>" in page.text
    assert f'<option value="{AUTHORITY}">' in page.text and f'<option value="{OTHER}">' in page.text
    other = site.get("/shuanggongshi", params={"authority": OTHER})
    assert "共 <strong>1</strong> 条" in other.text and "无照经营" in other.text
    assert f'<option value="{OTHER}" selected>' in other.text
    by_number = site.get("/shuanggongshi", params={"q": "京海市监罚〔2026〕301"})
    assert "共 <strong>1</strong> 条" in by_number.text and "0.5 万元" in by_number.text
    by_name = site.get("/shuanggongshi", params={"q": "星河科技(海淀)"})  # other bracket width
    assert "共 <strong>1</strong> 条" in by_name.text and NAME in by_name.text
    none = site.get("/shuanggongshi", params={"q": "100%_"})
    assert "共 <strong>0</strong> 条" in none.text  # LIKE wildcards are literal


def test_unknown_addresses_get_the_portal_404_page(site: TestClient) -> None:
    for path in ("/no-such-page", "/subjects", "/admin/no-such-page", "/shuanggongshi/x/y"):
        page = site.get(path, headers=HTML)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html"), path
        assert "页面不存在" in page.text and 'action="/search"' in page.text, path
        assert "主办单位：示范市发展和改革委员会" in page.text, path
    api = site.get("/api/v1/no-such-thing", headers=HTML)
    assert api.status_code == 404 and api.json()["error"] == "not_found"
    program = site.get("/no-such-page")  # no Accept: text/html: the error shape
    assert program.json()["error"] == "not_found"


def test_every_page_shows_the_branding(site: TestClient) -> None:
    icp = '<a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备12345678号</a>'
    for path in ("/", "/search?q=星河", f"/subjects/{CODE}", "/shuanggongshi", "/lists",
                 "/opendata", "/commitments", "/reports/verify",
                 "/shuanggongshi/timeliness"):  # fmt: skip
        page = site.get(path, headers=HTML)
        assert page.status_code == 200, path
        text = page.text
        assert "<title>" in text and "· 示范市公共信用信息平台</title>" in text, path
        assert "主办单位：示范市发展和改革委员会" in text and "010-12345678" in text, path
        assert "网站标识码：1100000001" in text and icp in text, path
        assert "京公网安备 11010502000001号" in text and "北京时间" in text, path
