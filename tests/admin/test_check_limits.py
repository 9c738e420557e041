"""Credit checks from the back office are limited per user as API checks are per key (a 429
page saying how long to wait, nothing run), and their result workbooks are removed once older
than GONGXIN_CHECK_EXPORT_MAX_AGE_DAYS. Both databases."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from gongxin.db.sanctions_tables import checks
from gongxin.settings import Settings
from gongxin.web.admin.credit_check_pages import sweep
from tests.admin.conftest import Office, serve
from tests.admin.test_clerk_pages import _check, _register, office
from tests.intake.helpers import make_uscc

__all__ = ["office"]  # the clerk pages' office: both databases, departments that may file
from tests.support.slots import all_held


def _logged(office: Office) -> int:
    with office.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(checks)).scalar_one())


def test_browser_checks_are_limited_per_user(office: Office, tmp_path: Path) -> None:
    _register(office, tmp_path, 50)
    settings = Settings(
        database_url=office.settings.database_url, var_dir=tmp_path / "var",
        check_rate_per_minute=2,
    )  # fmt: skip
    for limited in serve(office.engine, settings):
        limited.login("clerk")
        for _ in range(2):
            status, page = _check(limited, subject=make_uscc(50))
            assert status == 200 and "未命中" in page
        before = _logged(limited)
        token = limited.page_csrf("/admin/credit-check")
        refused = limited.client.post(
            "/admin/credit-check",
            data={"scene": "政府采购", "requester": "钱经办", "purpose": "资格审查",
                  "subject": make_uscc(50), "csrf_token": token},
            files=[("file", ("主体.csv", f"代码\n{make_uscc(50)}\n".encode(), "text/csv"))],
        )  # fmt: skip
        assert refused.status_code == 400  # an invalid form (both given) is not counted
        status, page = _check(limited, subject=make_uscc(50))
        assert status == 429
        assert "操作过于频繁" in page and "每分钟最多核查 2 次" in page and "秒后再试" in page
        status, page = _check(limited, file=f"代码\n{make_uscc(50)}\n")  # a file counts too
        assert status == 429
        assert _logged(limited) == before  # nothing was run
        limited.login("taxman")  # another user has a window of their own
        assert _check(limited, subject=make_uscc(50))[0] == 200
        limited.login("clerk")
        limited.clock.now += timedelta(seconds=61)
        assert _check(limited, subject=make_uscc(50))[0] == 200


def test_the_429_answer_says_when_to_retry(office: Office, tmp_path: Path) -> None:
    settings = Settings(
        database_url=office.settings.database_url, var_dir=tmp_path / "var",
        check_rate_per_minute=1,
    )  # fmt: skip
    for limited in serve(office.engine, settings):
        limited.login("clerk")
        _check(limited, subject="不存在的某某公司")
        token = limited.page_csrf("/admin/credit-check")
        refused = limited.client.post(
            "/admin/credit-check",
            data={"scene": "政府采购", "requester": "钱经办", "purpose": "资格审查",
                  "subject": "不存在的某某公司", "csrf_token": token},
        )  # fmt: skip
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_old_result_workbooks_are_removed_when_a_new_one_is_written(
    office: Office, tmp_path: Path
) -> None:
    _register(office, tmp_path, 50)
    folder = office.settings.var_dir / "exports" / "checks"
    folder.mkdir(parents=True, exist_ok=True)
    old, recent = folder / "HC20261001-0000000001.xlsx", folder / "HC20261120-0000000002.xlsx"
    for path, days in ((old, 8), (recent, 6)):
        path.write_bytes(b"x")
        stamp = time.time() - days * 86_400
        os.utime(path, (stamp, stamp))
    office.login("clerk")
    status, page = _check(office, subject=make_uscc(50))
    assert status == 200
    check_url = page.splitlines()[0]
    assert not old.exists() and recent.exists()  # the default keeps seven days
    assert office.client.get(f"{check_url}/workbook.xlsx").status_code == 200


def test_sweep_keeps_what_is_younger_than_the_age(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(b"x")
    (tmp_path / "keep.txt").write_bytes(b"x")
    now = time.time()
    assert sweep(tmp_path, 1, now) == 0
    assert sweep(tmp_path, 1, now + 2 * 86_400) == 1
    assert not (tmp_path / "a.xlsx").exists() and (tmp_path / "keep.txt").exists()


def test_a_file_check_while_the_process_checks_all_it_may_is_refused_unrun(
    office: Office,
) -> None:
    """Every file-check slot held (as by checks in progress): the form comes back with 503,
    Retry-After and the reason by the file field, nothing logged; then the same file runs. A
    one-subject check is not held up by the file checks."""
    office.login("clerk")
    with all_held(office.client.app, "check_files"):
        before = _logged(office)
        token = office.page_csrf("/admin/credit-check")
        refused = office.client.post(
            "/admin/credit-check",
            data={"scene": "政府采购", "requester": "钱经办", "purpose": "资格审查",
                  "csrf_token": token},
            files=[("file", ("主体.csv", f"代码\n{make_uscc(50)}\n".encode(), "text/csv"))],
        )  # fmt: skip
        assert refused.status_code == 503 and int(refused.headers["retry-after"]) > 0
        assert "服务器正在核查" in refused.text and "nothing was checked" in refused.text
        assert _logged(office) == before
        assert _check(office, subject="不存在的某某公司")[0] == 200
    status, page = _check(office, file=f"代码\n{make_uscc(50)}\n")
    assert status == 200, page
