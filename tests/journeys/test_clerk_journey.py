"""A department clerk's day in the back office, in Debian's Chromium on the demo city, on a
desktop and on a phone: upload two files at once (progress bar, each file's summary), download
the reject workbook, fix the bad cell and upload it again, link a 待关联 record by code, run a
credit check of one subject and of a file (an unverifiable subject is an error, never 未命中),
and file a sharing request whose fields are shown by Chinese name, personal data flagged.

Screenshots: test-artifacts/journeys/clerk-<viewport>-<step>.png."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, ViewportSize, expect

from gongxin.catalog.registry import load_catalog
from gongxin.db.engine import make_engine
from gongxin.db.models import records, subjects
from gongxin.ids.keyed import is_keyed
from tests.intake.helpers import make_uscc, wrong_check
from tests.journeys.conftest import ON_EACH_SCREEN, Site, log_in, open_page, screen, shoot

TIMEOUT_MS = 8000
UNKNOWN = make_uscc(98_765_432)  # a valid code no demo subject has


def _query(site: Site, query: sa.Select[Any]) -> list[Any]:
    engine = make_engine(site.db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(query))
    finally:
        engine.dispose()


def _cell(value: Any) -> str:
    """A stored value as a clerk would type it: lists joined, keyed hashes left out."""
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    return "" if value is None or is_keyed(value) else str(value)


def _penalty_file(site: Site, tag: str, folder: Path) -> tuple[Path, str]:
    """Three penalties modelled on a stored one of the market regulator: one good, one with a
    wrong check character, one of a subject the registry does not know; and the good code."""
    (data, code) = _query(
        site,
        sa.select(records.c.data, records.c.link_code)
        .where(records.c.dataset == "penalty", records.c.link_kind == "uscc")
        .where(records.c.subject_id.is_not(None))
        .order_by(records.c.id)
        .limit(1),
    )[0]
    fields = load_catalog().get("penalty").fields
    rows = []
    for n, changes in enumerate(
        ({}, {"CF_XDR_SHXYM": wrong_check(code)},
         {"CF_XDR_SHXYM": UNKNOWN, "CF_XDR_MC": f"未登记{tag}商贸有限公司"}),
        start=1,
    ):  # fmt: skip
        row = {f.code: _cell(data.get(f.code)) for f in fields}
        row.update(changes, CF_WSH=f"旅程罚〔2026〕{tag}{n}号")
        rows.append([row[f.code] for f in fields])
    path = folder / f"处罚-{tag}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[f.name for f in fields], *rows])
    return path, code


def _listed_code(site: Site) -> str:
    """The code of a registered subject on the 经营异常名录."""
    return str(
        _query(
            site,
            sa.select(subjects.c.uscc)
            .join(records, records.c.subject_id == subjects.c.id)
            .where(records.c.dataset == "abnormal_list", subjects.c.uscc.is_not(None))
            .order_by(subjects.c.id)
            .limit(1),
        )[0][0]
    )


def _fits(page: Page) -> None:
    """Nothing wider than the screen: tables scroll in their own box."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="后台导航").get_by_role("link", name=name).click()


@ON_EACH_SCREEN
def test_a_clerks_day_in_the_back_office(
    site: Site, browser: Browser, viewport: ViewportSize, tmp_path: Path
) -> None:
    tag = screen(viewport)
    journey = f"clerk-{tag}"
    first, good_code = _penalty_file(site, tag[0].upper(), tmp_path)
    second = tmp_path / f"处罚-{tag}-2.csv"
    second.write_text(first.read_text(encoding="utf-8").replace("〔2026〕", "〔2025〕"), "utf-8")
    context, page = open_page(browser, viewport, TIMEOUT_MS)
    try:
        log_in(page, site.url, "wang")
        _nav(page, "数据报送")
        expect(page.get_by_role("heading", level=1)).to_have_text("数据报送 · 市市场监督管理局")
        _fits(page)
        shoot(page, journey, "1-submissions")

        page.get_by_label("数据集").select_option("penalty")
        page.get_by_label("文件（可多选").set_input_files([first, second])
        page.get_by_role("button", name="上传并校验").click()
        results = page.get_by_role("heading", name="本次上传结果")
        expect(results).to_be_visible()
        cards = page.locator(".card.outcome")
        expect(cards).to_have_count(2)
        card = cards.filter(has_text=first.name)
        # 行数 新增 更正 重复 退回 待关联 有提示: the CLI's summary
        expect(card.locator("table.figures td")).to_have_text(["3", "2", "0", "0", "1", "1", "0"])
        _fits(page)
        shoot(page, journey, "2-uploaded")

        with page.expect_download() as info:
            card.get_by_role("link", name="下载退回数据（Excel）").click()
        workbook = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
        sheet = workbook.worksheets[0]
        header = [c.value for c in sheet[1]]
        assert header[:2] == ["错误说明", "原行号"]
        bad = sheet.cell(2, header.index("行政相对人代码_1（统一社会信用代码）") + 1)
        assert bad.value == wrong_check(good_code) and bad.fill.fgColor.rgb.endswith("FFC7CE")
        assert "校验" in str(sheet.cell(2, 1).value)
        bad.value = good_code
        fixed = tmp_path / f"改正-{tag}.xlsx"
        workbook.save(fixed)

        card.get_by_role("link", name="提交详情").click()
        expect(page.get_by_text("共 1 行未通过校验")).to_be_visible()
        shoot(page, journey, "3-submission")
        page.get_by_label("改正后的文件").set_input_files(fixed)
        page.get_by_role("button", name="重新上传").click()
        again = page.locator(".card.outcome")
        expect(again.locator("table.figures td")).to_have_text(["1", "1", "0", "0", "0", "0", "0"])
        expect(again).to_contain_text("未识别的列：错误说明、原行号")
        shoot(page, journey, "4-resubmitted")

        _nav(page, "待关联")
        waiting = page.locator("tr", has_text=UNKNOWN).first
        expect(waiting).to_be_visible()
        _fits(page)
        waiting.get_by_role("textbox").fill(wrong_check(good_code))
        waiting.get_by_role("button", name="关联").click()
        expect(page.get_by_role("alert").first).to_contain_text("校验")
        shoot(page, journey, "5-link-error")
        waiting = page.locator("tr", has_text=UNKNOWN).first
        record = waiting.get_attribute("id")
        waiting.get_by_role("textbox").fill(good_code)
        waiting.get_by_role("button", name="关联").click()
        expect(page.get_by_role("status")).to_contain_text(f"已关联到主体 {good_code}")
        expect(page.locator(f"tr#{record}")).to_have_count(0)
        shoot(page, journey, "6-linked")

        _nav(page, "信用核查")
        page.get_by_label("应用场景").select_option("政府采购")
        page.get_by_label("主体：").fill(wrong_check(good_code))
        page.get_by_label("用途").fill("供应商资格审查")
        page.get_by_role("button", name="核查").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("核查结果")
        row = page.locator("table.results tbody tr")
        expect(row.get_by_text("无法核查")).to_be_visible()
        expect(row).to_contain_text("校验")
        expect(row).not_to_contain_text("未命中")
        _fits(page)
        shoot(page, journey, "7-check-error")

        listed = _listed_code(site)
        subjects_file = tmp_path / f"主体-{tag}.csv"
        subjects_file.write_text(f"代码\n{listed}\n{good_code}\n没有这家公司{tag}\n", "utf-8")
        _nav(page, "信用核查")
        page.get_by_label("应用场景").select_option("政府采购")
        page.get_by_label("主体文件").set_input_files(subjects_file)
        page.get_by_label("用途").fill("供应商资格审查")
        page.get_by_role("button", name="核查").click()
        rows = page.locator("table.results tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0).locator(".tag.hit").first).to_be_visible()
        expect(rows.nth(2)).to_contain_text("未找到名称为")
        expect(rows.nth(2)).not_to_contain_text("未命中")
        with page.expect_download() as info:
            page.get_by_role("link", name="下载结果（Excel）").click()
        result = list(
            load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
            .worksheets[0]
            .iter_rows(values_only=True)
        )
        assert len(result) == 4 and "未找到" in str(result[3][-1])
        shoot(page, journey, "8-check-file")
    finally:
        context.close()


@ON_EACH_SCREEN
def test_a_department_asks_for_a_dataset(
    site: Site, browser: Browser, viewport: ViewportSize
) -> None:
    journey = f"request-{screen(viewport)}"
    context, page = open_page(browser, viewport, TIMEOUT_MS)
    try:
        log_in(page, site.url, "qian")
        _nav(page, "共享申请")
        page.get_by_role("link", name="申请共享数据").click()
        page.get_by_label("第一步：选择数据集").select_option("dishonest_debtor")
        page.get_by_role("button", name="选择").click()
        expect(page.get_by_role("heading", name="第二步：失信被执行人")).to_be_visible()
        personal = page.locator("fieldset.fields label", has_text="证件号码").first
        expect(personal.locator(".tag.personal")).to_have_text("个人信息")
        page.get_by_role("button", name="提交申请").click()  # nothing ticked, no purpose
        expect(page.locator("#fields-error")).to_contain_text("请至少勾选一个字段")
        expect(page.locator("#purpose-error")).to_contain_text("请写明用途")
        _fits(page)
        shoot(page, journey, "1-form-errors")

        page.get_by_label("被执行人姓名/名称").check()
        page.get_by_label("证件号码 个人信息").check()
        page.get_by_label("用途").fill(f"核查招标人资格（{journey}）")
        page.get_by_role("button", name="提交申请").click()
        expect(page.get_by_role("status")).to_have_text("申请已提交，等待提供部门答复")
        mine = page.locator("tr", has_text=f"核查招标人资格（{journey}）")
        expect(mine).to_contain_text("失信被执行人")
        expect(mine.locator(".tag.personal")).to_have_text("证件号码（个人信息）")
        expect(mine).not_to_contain_text("MD_ZJHM")
        _fits(page)
        shoot(page, journey, "2-filed")
    finally:
        context.close()


def test_the_result_workbook_of_a_single_check_is_readable(site: Site, browser: Browser) -> None:
    """The single check's workbook: a header row, the subject, its lists and measures."""
    context, page = open_page(browser, timeout_ms=TIMEOUT_MS)
    try:
        log_in(page, site.url, "wang")
        _nav(page, "信用核查")
        page.get_by_label("应用场景").select_option("政府采购")
        page.get_by_label("主体：").fill(_listed_code(site))
        page.get_by_label("用途").fill("供应商资格审查")
        page.get_by_role("button", name="核查").click()
        expect(page.locator("table.results .tag.hit").first).to_be_visible()
        with page.expect_download() as info:
            page.get_by_role("link", name="下载结果（Excel）").click()
        rows = list(load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
                    .worksheets[0].iter_rows(values_only=True))  # fmt: skip
        assert rows[0][:3] == ("序号", "查询内容", "匹配方式") and len(rows) == 2
        assert rows[1][6] and rows[1][-1] is None  # 命中名单, no 错误
    finally:
        context.close()
