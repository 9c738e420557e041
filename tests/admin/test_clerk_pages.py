"""The department clerk's daily work in the back office, over HTTP, on SQLite and PostgreSQL:
uploads with the CLI's summary, the reject workbook and its resubmission, bad uploads, 待关联
records linked by code, the credit-check form and the sharing-request form."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from gongxin.db.audit_tables import audit_log
from gongxin.db.engine import make_engine
from gongxin.db.models import records
from gongxin.errors import GongxinError
from gongxin.identity import accounts, departments
from gongxin.intake.pipeline import ingest
from gongxin.settings import Settings
from tests.admin.conftest import CENTRE, OTHER, PASSWORD, Office, serve
from tests.intake.helpers import (
    AS_OF,
    PENALTY,
    PROVIDER,
    catalog,
    make_uscc,
    penalty_row,
    prepare,
    registration_row,
    write_penalties,
    write_registrations,
    wrong_check,
)
from tests.support.slots import all_held

LIMIT = 64_000  # upload_max_bytes of these tests
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def office(db_url: str, tmp_path: Path) -> Iterator[Office]:
    engine = make_engine(db_url)
    try:
        prepare(engine, (PROVIDER, "provider"), (OTHER, "provider"))
        with engine.begin() as conn:
            departments.add(conn, CENTRE, kind="centre", code=None, now=AS_OF)
            for username, dept, role in (
                ("clerk", PROVIDER, "dept_clerk"),
                ("taxman", OTHER, "dept_clerk"),
                ("root", CENTRE, "centre_admin"),
            ):
                accounts.add_user(
                    conn, username, department=dept, roles=[role], password=PASSWORD, now=AS_OF
                )
        settings = Settings(database_url=db_url, var_dir=tmp_path / "var", upload_max_bytes=LIMIT)
        yield from serve(engine, settings)
    finally:
        engine.dispose()


def _upload(
    office: Office, files: list[tuple[str, bytes]], dataset: str = "penalty", path: str = ""
) -> tuple[int, str]:
    token = office.page_csrf(path or "/admin/submissions")
    answer = office.client.post(
        "/admin/submissions",
        data={"dataset": dataset, "csrf_token": token},
        files=[("files", (name, body, "application/octet-stream")) for name, body in files],
    )
    return answer.status_code, answer.text


def _penalties(tmp_path: Path, name: str, rows: list[dict[str, str]]) -> bytes:
    return write_penalties(tmp_path / name, rows).read_bytes()


def _text(html: str) -> str:
    """The page's text, tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_several_files_are_uploaded_with_the_clis_summary_each_and_listed(
    office: Office, tmp_path: Path
) -> None:
    office.login("clerk")
    good = _penalties(tmp_path, "good.csv", [penalty_row(n) for n in (2, 3)])
    mixed = _penalties(
        tmp_path,
        "mixed.csv",
        [penalty_row(4), penalty_row(5, CF_XDR_SHXYM=wrong_check(make_uscc(5))), penalty_row(6)],
    )
    status, page = _upload(office, [("好文件.csv", good), ("有错.csv", mixed)])
    assert status == 200
    cards = page.split('class="card outcome')[1:]
    assert len(cards) == 2
    # each file: 行数 新增 更正 重复 退回 待关联 有提示, as `gongxin ingest` prints them
    figures = [re.findall(r"<td>(?:<strong class=\"bad\">)?(\d+)", c)[:7] for c in cards]
    assert figures[0] == ["2", "2", "0", "0", "0", "2", "0"]
    assert figures[1] == ["3", "2", "0", "0", "1", "2", "0"]
    assert "下载退回数据" in cards[1] and "下载退回数据" not in cards[0]

    listing = office.client.get("/admin/submissions")
    assert "好文件.csv" in listing.text and "有错.csv" in listing.text
    assert "本部门的提交（共 2 次）" in listing.text
    office.login("taxman")  # another department sees none of them
    assert "有错.csv" not in office.client.get("/admin/submissions").text


def test_the_reject_workbook_is_downloaded_fixed_and_resubmitted(
    office: Office, tmp_path: Path
) -> None:
    office.login("clerk")
    bad = wrong_check(make_uscc(5))
    rows = [penalty_row(4), penalty_row(5, CF_XDR_SHXYM=bad, CF_JDRQ="2024/13/45")]
    _, page = _upload(office, [("第一批.csv", _penalties(tmp_path, "p.csv", rows))])
    (sid,) = set(re.findall(r"/admin/submissions/([\w-]+)/rejects\.xlsx", page))
    detail = office.client.get(f"/admin/submissions/{sid}")
    assert "共 1 行未通过校验" in detail.text

    download = office.client.get(f"/admin/submissions/{sid}/rejects.xlsx")
    assert download.status_code == 200 and download.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(download.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["错误说明", "原行号"] and sheet.freeze_panes == "C2"
    row = list(sheet[2])
    assert "第3行" in str(row[0].value) and row[1].value == 3
    code_cell = row[header.index(PENALTY["CF_XDR_SHXYM"])]
    date_cell = row[header.index(PENALTY["CF_JDRQ"])]
    name_cell = row[header.index(PENALTY["CF_XDR_MC"])]
    assert code_cell.value == bad and code_cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert date_cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert not str(name_cell.fill.fgColor.rgb).endswith("FFC7CE")

    code_cell.value = make_uscc(5)  # the clerk fixes the two cells and uploads the workbook
    date_cell.value = "2024/03/15"
    fixed = io.BytesIO()
    book.save(fixed)
    _, again = _upload(
        office, [("第一批-改正.xlsx", fixed.getvalue())], path=f"/admin/submissions/{sid}"
    )
    card = again.split('class="card outcome')[1]
    assert re.findall(r"<td>(\d+)", card)[:5] == ["1", "1", "0", "0", "0"]
    assert "未识别的列：错误说明、原行号" in card

    office.login("taxman")  # another department's rejects are not found
    assert office.client.get(f"/admin/submissions/{sid}/rejects.xlsx").status_code == 404


def test_bad_uploads_get_the_same_errors_as_the_api_next_to_their_field(
    office: Office, tmp_path: Path
) -> None:
    office.login("clerk")
    big = _penalties(tmp_path, "big.csv", [penalty_row(n) for n in range(2, 400)])
    assert len(big) > LIMIT
    odd = b"%PDF-1.4\n" + bytes(range(256)) * 4
    with pytest.raises(GongxinError) as api_says:  # what the API and the CLI answer for it
        (tmp_path / "odd.pdf").write_bytes(odd)
        ingest(office.engine, catalog(), tmp_path / "odd.pdf", dataset="penalty",
               provider=PROVIDER, as_of=AS_OF)  # fmt: skip

    status, page = _upload(office, [("太大.csv", big), ("odd.pdf", odd)])
    assert status == 413  # neither file was stored
    text = _text(page)
    assert f"文件超过上限 {LIMIT} 字节，未导入任何数据" in text
    assert api_says.value.zh in text and api_says.value.en in text

    formula = [penalty_row(2, CF_SY='=HYPERLINK("http://x","y")')]
    _, page = _upload(office, [("公式.csv", _penalties(tmp_path, "f.csv", formula))])
    (sid,) = set(re.findall(r"/admin/submissions/([\w-]+)\"", page))
    detail = _text(office.client.get(f"/admin/submissions/{sid}").text)
    assert "电子表格可能把它当作公式执行" in detail and "违法事实" in detail

    token = office.page_csrf("/admin/submissions")
    missing = office.client.post("/admin/submissions", data={"csrf_token": token, "dataset": ""})
    assert missing.status_code == 400
    assert re.search(r'id="dataset-error">请选择数据集', missing.text)
    assert re.search(r'id="files-error">请选择至少一个文件', missing.text)
    forged = office.client.post(
        "/admin/submissions", data={"dataset": "penalty"}, files=[("files", ("a.csv", big[:100]))]
    )
    assert forged.status_code == 403  # no CSRF token


def _register(office: Office, tmp_path: Path, n: int) -> None:
    """A subject in the registry (the market regulator's registration file)."""
    path = write_registrations(tmp_path / "r.csv", [registration_row(n)])
    ingest(office.engine, catalog(), path, dataset="registration", provider=PROVIDER, as_of=AS_OF)


def test_unlinked_records_are_listed_per_department_and_linked_by_code(
    office: Office, tmp_path: Path
) -> None:
    _register(office, tmp_path, 50)
    office.login("clerk")
    _upload(office, [("p.csv", _penalties(tmp_path, "p.csv", [penalty_row(3)]))])
    with office.engine.connect() as conn:
        (record_id,) = conn.execute(
            sa.select(records.c.id).where(records.c.subject_id.is_(None))
        ).scalars()
    page = office.client.get("/admin/unlinked")
    assert f'id="record-{record_id}"' in page.text and make_uscc(3) in page.text
    office.login("taxman")
    assert f'id="record-{record_id}"' not in office.client.get("/admin/unlinked").text
    office.login("clerk")

    wrong = office.post(f"/admin/unlinked/{record_id}/link", {"code": wrong_check(make_uscc(50))})
    assert wrong.status_code == 400
    error = re.search(rf'id="code-error-{record_id}"[^>]*>([^<]+)', wrong.text)
    assert error and "校验" in error.group(1)
    unknown = office.post(f"/admin/unlinked/{record_id}/link", {"code": make_uscc(77)})
    assert unknown.status_code == 404 and "主体名录中没有代码为" in unknown.text

    done = office.post(f"/admin/unlinked/{record_id}/link", {"code": make_uscc(50)})
    assert done.status_code == 303
    after = office.client.get(done.headers["location"])
    assert f"记录 {record_id} 已关联到主体 {make_uscc(50)}" in after.text
    assert f'id="record-{record_id}"' not in after.text
    with office.engine.connect() as conn:
        linked = conn.execute(
            sa.select(records.c.subject_id).where(records.c.id == record_id)
        ).scalar_one()
        audited = conn.execute(
            sa.select(audit_log.c.actor).where(audit_log.c.action == "linkage.record.link")
        ).scalar_one()
    assert linked is not None and "clerk" in audited
    again = office.post(f"/admin/unlinked/{record_id}/link", {"code": make_uscc(50)})
    assert again.status_code == 409


def _check(office: Office, **form: str) -> tuple[int, str]:
    token = office.page_csrf("/admin/credit-check")
    data = {"scene": "政府采购", "requester": "钱经办", "purpose": "供应商资格审查", **form}
    upload = data.pop("file", None)
    files = [("file", ("主体.csv", upload.encode(), "text/csv"))] if upload else None
    answer = office.client.post(
        "/admin/credit-check",
        data={**data, "csrf_token": token},
        files=files,
        follow_redirects=False,
    )
    if answer.status_code == 303:
        page = office.client.get(answer.headers["location"])
        return page.status_code, answer.headers["location"] + "\n" + page.text
    return answer.status_code, answer.text


def test_a_subject_that_cannot_be_checked_is_an_error_never_no_hit(
    office: Office, tmp_path: Path
) -> None:
    _register(office, tmp_path, 50)
    office.login("clerk")
    status, page = _check(office, subject=wrong_check(make_uscc(50)))
    assert status == 200
    assert "无法核查" in page and "校验" in page and "未命中" not in page
    status, page = _check(office, subject="不存在的某某公司")
    assert "无法核查" in page and "未找到名称为" in page and "未命中" not in page
    status, page = _check(office, subject=make_uscc(50))
    assert "未命中" in page and "无法核查" not in page and "北京测试50商贸有限公司" in page

    lines = f"代码\n{make_uscc(50)}\n{wrong_check(make_uscc(50))}\n没有这家公司\n"
    status, page = _check(office, file=lines)
    assert status == 200 and "核查主体 3 个" in page and "无法核查 2 个" in page
    check_url = page.splitlines()[0]
    book = office.client.get(f"{check_url}/workbook.xlsx")
    assert book.headers["content-type"] == XLSX
    rows = list(load_workbook(io.BytesIO(book.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "错误" and rows[1][-1] is None
    assert "校验" in str(rows[2][-1]) and "未找到" in str(rows[3][-1])
    office.login("taxman")  # another department's check is not found
    assert office.client.get(check_url).status_code == 404


def test_the_credit_check_form_says_what_is_missing_next_to_each_field(office: Office) -> None:
    office.login("clerk")
    status, page = _check(office, scene="", purpose="", subject="")
    assert status == 400
    assert re.search(r'id="scene-error"[^>]*>请选择应用场景', page)
    assert re.search(r'id="purpose-error"[^>]*>请填写用途', page)
    assert re.search(r'id="subject-error"[^>]*>请填写一个主体', page)
    status, page = _check(office, subject=make_uscc(50), file="x\n")
    assert status == 400 and "二选一" in page


def test_a_sharing_request_is_filed_from_the_form_with_chinese_names(office: Office) -> None:
    office.login("taxman")
    form = office.client.get("/admin/requests/new?dataset=dishonest_debtor")
    assert "失信被执行人" in form.text
    assert re.search(
        r'value="MD_ZJHM"[^>]*> 证件号码 <span class="tag personal">个人信息', form.text
    )
    none = office.post(
        "/admin/requests",
        {"dataset": "dishonest_debtor", "purpose": "", "period_start": "2026-12-01",
         "period_end": "2026-11-30"},
        csrf=office.page_csrf("/admin/requests/new"),
    )  # fmt: skip
    assert none.status_code == 400
    assert re.search(r'id="fields-error"[^>]*>请至少勾选一个字段', none.text)
    assert re.search(r'id="purpose-error"[^>]*>请写明用途', none.text)
    backwards = office.client.post(
        "/admin/requests",
        data={"dataset": "dishonest_debtor", "fields": ["MD_ZTMC", "MD_ZJHM"],
              "purpose": "核查招标人资格", "period_start": "2026-12-01",
              "period_end": "2026-11-30", "csrf_token": office.page_csrf("/admin/requests/new")},
    )  # fmt: skip
    assert backwards.status_code == 400
    assert re.search(
        r'id="period_end-error"[^>]*>使用期限的结束日 2026-11-30 早于开始日', backwards.text
    )
    free = office.post(
        "/admin/requests",
        {"dataset": "penalty", "fields": "CF_WSH", "purpose": "x", "period_start": "2026-12-01",
         "period_end": "2027-11-30"},
    )  # fmt: skip
    assert free.status_code == 400 and "无条件共享" in free.text

    done = office.client.post(
        "/admin/requests",
        data={"dataset": "dishonest_debtor", "fields": ["MD_ZTMC", "MD_ZJHM"],
              "purpose": "核查招标人资格", "period_start": "2026-12-01",
              "period_end": "2027-11-30", "csrf_token": office.page_csrf("/admin/requests/new")},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    listing = _text(office.client.get(done.headers["location"]).text)
    assert "申请已提交" in listing and "失信被执行人" in listing
    assert "证件号码（个人信息）" in listing and "被执行人姓名/名称" in listing
    assert "MD_ZJHM" not in listing
    office.login("root")  # the audit entry of the request names them the same way
    audit_page = _text(office.client.get("/admin/audit?action=exchange.request.submit").text)
    assert "数据集：失信被执行人" in audit_page
    assert "被执行人姓名/名称 证件号码（个人信息）" in audit_page


def test_an_upload_while_the_process_is_ingesting_all_it_may_gets_a_busy_page(
    office: Office, tmp_path: Path
) -> None:
    office.login("clerk")
    good = _penalties(tmp_path, "good.csv", [penalty_row(2)])
    with all_held(office.client.app, "intake"):
        status, page = _upload(office, [("好文件.csv", good)])
        assert status == 503
        assert "服务器忙" in page and "稍后重新提交" in _text(page)
        with office.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one() == 0
    status, page = _upload(office, [("好文件.csv", good)])
    assert status == 200 and "好文件.csv" in page
