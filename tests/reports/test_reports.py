"""The public credit report: deterministic content, a PDF of what the gate shows, verification."""

from __future__ import annotations

import hashlib
import re
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.catalog.registry import get_catalog
from gongxin.db.report_tables import issued_reports
from gongxin.errors import Busy, InvalidInput
from gongxin.reports import content as report_content
from gongxin.reports import issue, issued
from gongxin.reports.pdf import render, to_html
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import (
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_registrations,
)
from tests.support.http import TestClient
from tests.support.slots import all_held

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
TODAY = date(2026, 11, 22)
CODE = make_uscc(1)
NAME = "北京<script>alert(1)</script>科技有限公司"
RECENT_WSH = penalty_row(1)["CF_WSH"]
ANCIENT_WSH = "京海市监罚〔2021〕77号"


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    reg = [registration_row(1, 企业名称=NAME, 法人代表="欧阳娜娜")]
    store.ingest(write_registrations(tmp_path / "reg.csv", reg), "registration", as_of=NOW)
    recent = penalty_row(1, CF_JDRQ=(NOW - timedelta(days=40)).date().isoformat())
    ancient = penalty_row(2, CF_XDR_SHXYM=CODE, CF_WSH=ANCIENT_WSH, CF_JDRQ="2021-01-05")
    store.ingest(store.penalties("p.csv", [recent, ancient]), as_of=NOW)
    return store


@pytest.fixture
def client(loaded: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as test_client:
        yield test_client


def build(store: Store, as_of: date, code: str = CODE) -> report_content.ReportContent:
    with store.engine.connect() as conn:
        return report_content.build(conn, get_catalog(), code, as_of)


def penalty_numbers(content: report_content.ReportContent) -> list[str]:
    (section,) = [s for s in content.sections if s.dataset == "penalty"]
    return [e.value for i in section.items for e in i.fields if e.label == "行政处罚决定书文号"]


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    )
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))  # lines wrap anywhere in CJK text


def test_content_is_deterministic_and_follows_the_gate(loaded: Store) -> None:
    first, again = build(loaded, TODAY), build(loaded, TODAY)
    assert first == again
    assert report_content.digest(first) == report_content.digest(again)
    assert re.fullmatch(r"XY20261122[0-9a-f]{10}", first.report_no)
    assert report_content.parse_report_number(first.report_no) == TODAY
    assert first.subject_name == NAME and first.subject_code == CODE
    assert penalty_numbers(first) == [RECENT_WSH]  # the ancient one is past every maximum
    assert ("法定代表人", "欧**") in [(e.label, e.value) for e in first.basics]
    # the same subject found by a differently spelt code gives the same report
    assert build(loaded, TODAY, CODE.lower()) == first


def test_content_changes_once_the_penalty_expires(loaded: Store) -> None:
    today, later = build(loaded, TODAY), build(loaded, TODAY + timedelta(days=3 * 365))
    assert penalty_numbers(later) == []
    assert report_content.digest(later) != report_content.digest(today)
    assert report_content.records_digest(later) != report_content.records_digest(today)
    tomorrow = build(loaded, TODAY + timedelta(days=1))
    assert tomorrow.report_no != today.report_no
    assert report_content.records_digest(tomorrow) == report_content.records_digest(today)


@pytest.mark.parametrize("bad", ["", "XY2026112", "XY20261340abcdef0123", "XY20261122ABCDEF0123"])
def test_malformed_report_numbers(bad: str) -> None:
    with pytest.raises(InvalidInput):
        report_content.parse_report_number(bad)


def test_html_escapes_stored_text(loaded: Store) -> None:
    html = to_html(build(loaded, TODAY), "https://example.org/v?code=1&sha256=2")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "code=1&amp;sha256=2" in html
    assert 'src="data:image/png;base64,' in html


def test_pdf_download_shows_only_what_the_public_may_see(
    client: TestClient, tmp_path: Path
) -> None:
    response = client.get(f"/api/v1/reports/{CODE}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    report_no, sha = response.headers["X-Report-No"], response.headers["X-Report-SHA256"]
    assert report_no.startswith("XY20261122") and re.fullmatch(r"[0-9a-f]{64}", sha)
    text = pdf_text(response.content, tmp_path)
    assert NAME in text  # the stored <script> is printed as text
    assert report_no in text and sha in text and "2026-11-22" in text
    assert RECENT_WSH in text
    assert ANCIENT_WSH not in text
    assert "欧阳娜娜" not in text and "欧**" in text
    assert "张三" not in text  # the penalty's legal representative, masked too
    # the printed and QR link opens the human verification page, not the JSON API
    assert f"/reports/verify/{report_no}?" in text.replace("\n", "")
    assert "/api/v1/reports/verify" not in text.replace("\n", "")


def test_a_report_beyond_the_processs_pdf_slots_is_refused_at_once(
    client: TestClient, loaded: Store
) -> None:
    """As many PDFs as GONGXIN_PDF_CONCURRENCY being made: one more report is answered 503
    with Retry-After before anything is laid out or issued; once a slot is free it is made."""
    with all_held(client.app, "pdf"):
        refused = client.get(f"/api/v1/reports/{CODE}.pdf")
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == str(Busy.retry_after)
        assert refused.json()["error"] == "busy" and "PDF" in refused.json()["zh"]
    with loaded.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(issued_reports)).scalar() == 0
    assert client.get(f"/api/v1/reports/{CODE}.pdf").status_code == 200


def test_verify_genuine_and_tampered(client: TestClient) -> None:
    response = client.get(f"/api/v1/reports/{CODE}.pdf")
    report_no, sha = response.headers["X-Report-No"], response.headers["X-Report-SHA256"]
    url = f"/api/v1/reports/verify/{report_no}"
    genuine = client.get(url, params={"code": CODE, "sha256": sha.upper()}).json()
    assert genuine["valid"] is True and genuine["sha256_matches"] is True
    assert genuine["changed_since"] is False and genuine["as_of"] == "2026-11-22"
    assert genuine["subject"] == {"name": NAME, "code": CODE}
    assert "真实有效" in genuine["message_zh"] and genuine["message_en"]
    tampered_sha = ("0" if sha[0] != "0" else "1") + sha[1:]
    tampered = client.get(url, params={"code": CODE, "sha256": tampered_sha}).json()
    assert tampered["valid"] is False and tampered["sha256_matches"] is False
    other = client.get(url, params={"code": make_uscc(2), "sha256": sha})
    assert other.status_code == 404  # no such subject loaded
    assert client.get(
        "/api/v1/reports/verify/XY20261122zzzz", params={"code": CODE, "sha256": sha}
    ).status_code == 400  # fmt: skip


def test_verify_a_report_whose_subject_changed_since(client: TestClient, loaded: Store) -> None:
    # issued today, checked three years later when the penalty's publicity has ended
    response = client.get(f"/api/v1/reports/{CODE}.pdf")
    report_no, sha = response.headers["X-Report-No"], response.headers["X-Report-SHA256"]
    later = NOW + timedelta(days=3 * 365)
    client.app.dependency_overrides[deps.get_now] = lambda: later  # type: ignore[attr-defined]
    verdict = client.get(
        f"/api/v1/reports/verify/{report_no}", params={"code": CODE, "sha256": sha}
    ).json()
    assert verdict["valid"] is True and verdict["changed_since"] is True
    assert "已有变化" in verdict["message_zh"]


def test_verify_rejects_a_future_or_foreign_number(client: TestClient, loaded: Store) -> None:
    future = build(loaded, TODAY + timedelta(days=5))
    sha = report_content.digest(future)
    verdict = client.get(
        f"/api/v1/reports/verify/{future.report_no}", params={"code": CODE, "sha256": sha}
    ).json()
    assert verdict["valid"] is False
    forged = "XY20261122" + "0" * 10
    verdict = client.get(
        f"/api/v1/reports/verify/{forged}", params={"code": CODE, "sha256": sha}
    ).json()
    assert verdict["valid"] is False and "不符" in verdict["message_zh"]


def test_a_report_never_issued_does_not_verify(client: TestClient, loaded: Store) -> None:
    """Number and hash computed from public data, but no such report was handed out."""
    made = build(loaded, TODAY)
    verdict = client.get(
        f"/api/v1/reports/verify/{made.report_no}",
        params={"code": CODE, "sha256": report_content.digest(made)},
    ).json()
    assert verdict["valid"] is False and verdict["snapshot"] is None
    assert "没有出具过" in verdict["message_zh"]


def test_verification_shows_the_report_as_issued(client: TestClient, loaded: Store) -> None:
    """An edited PDF keeps its number and printed hash: the verdict shows the stored content,
    which still holds the penalty the forger removed."""
    response = client.get(f"/api/v1/reports/{CODE}.pdf")
    report_no, sha = response.headers["X-Report-No"], response.headers["X-Report-SHA256"]
    verdict = client.get(
        f"/api/v1/reports/verify/{report_no}", params={"code": CODE, "sha256": sha}
    ).json()
    assert verdict["valid"] is True and verdict["matched"] == "content"
    snapshot = verdict["snapshot"]
    assert snapshot["report_no"] == report_no and snapshot["subject_name"] == NAME
    penalties = next(s for s in snapshot["sections"] if s["dataset"] == "penalty")
    numbers = [f["value"] for i in penalties["items"] for f in i["fields"]]
    assert RECENT_WSH in numbers
    assert ("法定代表人", "欧**") in [(e["label"], e["value"]) for e in snapshot["basics"]]
    page = client.get(f"/reports/verify/{report_no}", params={"code": CODE, "sha256": sha})
    assert page.status_code == 200 and "出具时的报告内容" in page.text
    assert RECENT_WSH in page.text and "&lt;script&gt;" in page.text


def test_an_edited_pdf_file_fails_by_hash_and_by_upload(client: TestClient, loaded: Store) -> None:
    response = client.get(f"/api/v1/reports/{CODE}.pdf")
    report_no = response.headers["X-Report-No"]
    file_sha = hashlib.sha256(response.content).hexdigest()
    assert response.headers["X-Report-File-SHA256"] == file_sha
    url = f"/api/v1/reports/verify/{report_no}"
    genuine = client.get(url, params={"code": CODE, "sha256": file_sha}).json()
    assert genuine["valid"] is True and genuine["matched"] == "pdf"
    edited = response.content.replace(RECENT_WSH.encode(), b"X" * len(RECENT_WSH.encode()))
    edited += b"\n% edited\n"
    by_hash = client.get(
        url, params={"code": CODE, "sha256": hashlib.sha256(edited).hexdigest()}
    ).json()
    assert by_hash["valid"] is False and by_hash["snapshot"] is None
    assert "改动" in by_hash["message_zh"]
    uploaded = client.post(
        f"{url}/file", params={"code": CODE}, files={"file": ("r.pdf", edited, "application/pdf")}
    )
    assert uploaded.status_code == 200 and uploaded.json()["valid"] is False
    original = client.post(
        f"{url}/file", params={"code": CODE},
        files={"file": ("r.pdf", response.content, "application/pdf")},
    ).json()  # fmt: skip
    assert original["valid"] is True and original["matched"] == "pdf"
    not_pdf = client.post(
        f"{url}/file", params={"code": CODE}, files={"file": ("x.txt", b"hello", "text/plain")}
    )
    assert not_pdf.status_code == 400 and "PDF" in not_pdf.json()["zh"]


def test_an_altered_stored_snapshot_is_not_vouched_for(client: TestClient, loaded: Store) -> None:
    response = client.get(f"/api/v1/reports/{CODE}.pdf")
    report_no, sha = response.headers["X-Report-No"], response.headers["X-Report-SHA256"]
    with loaded.engine.begin() as conn:
        stored = conn.execute(sa.select(issued_reports.c.content)).scalar_one()
        stored["sections"] = []
        conn.execute(sa.update(issued_reports).values(content=stored))
    verdict = client.get(
        f"/api/v1/reports/verify/{report_no}", params={"code": CODE, "sha256": sha}
    ).json()
    assert verdict["valid"] is False and "存档" in verdict["message_zh"]


def test_each_download_is_a_signed_file_of_its_own_with_one_code(
    client: TestClient, loaded: Store
) -> None:
    """Every download is signed at its own time, so each file differs and is stored; the
    report (number, content) and its 验证码 stay the same."""
    first = client.get(f"/api/v1/reports/{CODE}.pdf")
    again = client.get(f"/api/v1/reports/{CODE}.pdf")
    assert first.headers["X-Report-No"] == again.headers["X-Report-No"]
    assert first.headers["X-Report-SHA256"] == again.headers["X-Report-SHA256"]
    assert first.headers["X-Report-Code"] == again.headers["X-Report-Code"]
    with loaded.engine.connect() as conn:
        rows = conn.execute(
            sa.select(issued_reports.c.pdf_sha256, issued_reports.c.verification_code)
        ).all()
    assert {r.pdf_sha256 for r in rows} == {
        hashlib.sha256(first.content).hexdigest(),
        hashlib.sha256(again.content).hexdigest(),
    }
    assert {r.verification_code for r in rows} == {first.headers["X-Report-Code"].replace("-", "")}


def test_simultaneous_downloads_of_a_report_print_one_code(
    loaded: Store, db_url: str, tmp_path: Path
) -> None:
    """Two downloads of the same report at the same moment: each signed file of its own, but
    one 验证码, printed on both and stored with both (the docs: the code is drawn when the
    report is first issued and kept for every download)."""
    settings = Settings(database_url=db_url, var_dir=tmp_path / "var")
    start = threading.Barrier(2)

    def download(_: int) -> issue.IssuedFile:
        start.wait()
        return issue.issue(
            loaded.engine, get_catalog(), settings, CODE, NOW,
            qr_url=lambda built, sha: f"https://credit.example.gov.cn/v/{built.report_no}",
            verify_page="https://credit.example.gov.cn/reports/verify",
        )  # fmt: skip

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(download, range(2))
    assert first.pdf != second.pdf
    assert first.code == second.code
    for made in (first, second):
        assert first.code in pdf_text(made.pdf, tmp_path)
    with loaded.engine.connect() as conn:
        stored = conn.execute(sa.select(issued_reports.c.verification_code)).scalars().all()
    assert stored == [first.issued.verification_code] * 2


def test_a_new_code_is_never_one_already_claimed(
    loaded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drawn code another report holds is drawn again: every 验证码 leads to one report."""
    today, later = build(loaded, TODAY), build(loaded, TODAY + timedelta(days=1))
    draws = iter(["K7M3PQ9XRT", "K7M3PQ9XRT", "H4N8WV2CZB"])
    monkeypatch.setattr(issued, "new_code", lambda: next(draws))
    assert issued.code_for(loaded.engine, today, NOW) == "K7M3PQ9XRT"
    assert issued.code_for(loaded.engine, later, NOW) == "H4N8WV2CZB"
    assert issued.code_for(loaded.engine, today, NOW) == "K7M3PQ9XRT"  # kept, not drawn


def test_unknown_subject_is_404(client: TestClient) -> None:
    response = client.get(f"/api/v1/reports/{make_uscc(99)}.pdf")
    assert response.status_code == 404 and "未找到" in response.json()["zh"]
    assert client.get("/api/v1/reports/91110108MA0000000X.pdf").status_code == 400


def test_render_directly(loaded: Store, tmp_path: Path) -> None:
    data = render(build(loaded, TODAY), "https://example.org/verify")
    assert data.startswith(b"%PDF") and "公共信用信息报告" in pdf_text(data, tmp_path)


def test_the_report_link_uses_the_public_base_url_not_the_host_header(
    client: TestClient, tmp_path: Path
) -> None:
    response = client.get(f"/api/v1/reports/{CODE}.pdf", headers={"Host": "evil.example"})
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path).replace("\n", "")
    assert "evil.example" not in text
    assert f"http://127.0.0.1:8000/reports/verify/{response.headers['X-Report-No']}?" in text
