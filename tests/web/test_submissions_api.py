"""POST /api/v1/submissions: a department's system submits a file with its API key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.db.engine import make_engine
from gongxin.db.models import records, submissions
from gongxin.errors import Busy
from gongxin.identity import keys
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import (
    AS_OF,
    PROVIDER,
    penalty_row,
    prepare,
    registration_row,
    write_penalties,
    write_registrations,
)
from tests.support.http import TestClient
from tests.support.slots import all_held

USER_DEPT = "市财政局"
SUMMARY_KEYS = {"submission_id", "rows", "accepted", "updated", "duplicates", "rejected"}


@dataclass
class Api:
    client: TestClient
    engine: sa.Engine
    folder: Path
    key: str  # the provider's valid key
    user_key: str
    expired_key: str
    revoked_key: str

    def submit(
        self, path: Path, dataset: str = "penalty", key: str | None = None, **form: str
    ) -> tuple[int, dict[str, object]]:
        headers = {} if key == "" else {"Authorization": f"Bearer {key or self.key}"}
        with path.open("rb") as fh:
            response = self.client.post(
                "/api/v1/submissions",
                files={"file": (path.name, fh, "text/csv")},
                data={"dataset": dataset, **form},
                headers=headers,
            )
        return response.status_code, response.json()

    def count(self, table: sa.Table) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.fixture
def api(db_url: str, tmp_path: Path) -> Iterator[Api]:
    engine = make_engine(db_url)
    try:
        prepare(engine, (PROVIDER, "provider"), (USER_DEPT, "user"))
        with engine.begin() as conn:
            key = keys.create(conn, PROVIDER, now=AS_OF, expires_days=30).key
            user_key = keys.create(conn, USER_DEPT, now=AS_OF).key
            expired = keys.create(conn, PROVIDER, now=AS_OF - timedelta(days=31), expires_days=30)
            revoked = keys.create(conn, PROVIDER, now=AS_OF)
            keys.revoke(conn, revoked.prefix, now=AS_OF)
        app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
        app.dependency_overrides[deps.get_now] = lambda: AS_OF
        with TestClient(app) as client:
            yield Api(client, engine, tmp_path, key, user_key, expired.key, revoked.key)
    finally:
        engine.dispose()


def test_health(api: Api) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_submit_then_resubmit_the_same_file(api: Api) -> None:
    path = write_penalties(api.folder / "p.csv", [penalty_row(1), penalty_row(2, CF_SY="")])
    status, body = api.submit(path)
    assert status == 201
    assert body.keys() >= SUMMARY_KEYS
    assert (body["rows"], body["accepted"], body["rejected"]) == (2, 1, 1)
    assert body["already_processed"] is False
    assert body["provider"] == PROVIDER
    assert body["file_name"] == "p.csv"
    assert api.count(records) == 1

    again, repeat = api.submit(path)
    assert again == 200
    assert repeat["already_processed"] is True
    assert repeat["submission_id"] == body["submission_id"]
    assert api.count(records) == 1
    assert api.count(submissions) == 1
    assert not list((api.folder / "var" / "uploads").glob("*"))  # uploads are not kept


def test_a_declared_encoding_is_passed_on(api: Api) -> None:
    path = write_penalties(api.folder / "gbk.csv", [penalty_row(1)], encoding="gbk")
    status, body = api.submit(path, encoding="gbk")
    assert status == 201
    assert body["accepted"] == 1
    assert body["encoding"] in ("gbk", "gb18030")


@pytest.mark.parametrize("which", ["missing", "garbage", "wrong", "expired", "revoked"])
def test_requests_without_a_valid_key_are_refused(api: Api, which: str) -> None:
    key = {
        "missing": "",
        "garbage": "not-a-key",
        "wrong": api.key[:-4] + "AAAA",
        "expired": api.expired_key,
        "revoked": api.revoked_key,
    }[which]
    path = write_penalties(api.folder / "p.csv", [penalty_row(1)])
    status, body = api.submit(path, key=key)
    assert status == 401
    assert body["error"] == "unauthorized"
    assert api.count(submissions) == 0


def test_unknown_dataset_is_404(api: Api) -> None:
    path = write_penalties(api.folder / "p.csv", [penalty_row(1)])
    status, body = api.submit(path, dataset="no_such_dataset")
    assert status == 404
    assert body["error"] == "unknown_dataset"
    assert "penalty" in body["details"]["known"]
    assert api.count(submissions) == 0


def test_a_file_of_another_dataset_is_400(api: Api) -> None:
    path = write_registrations(api.folder / "r.csv", [registration_row(1)])
    status, body = api.submit(path, dataset="penalty")
    assert status == 400
    assert body["error"] == "wrong_dataset"
    assert "penalty" in body["message"]
    assert api.count(submissions) == 0


def test_an_empty_file_is_400(api: Api) -> None:
    path = api.folder / "empty.csv"
    path.write_bytes(b"")
    status, body = api.submit(path)
    assert (status, body["error"]) == (400, "unreadable_file")


def test_a_user_department_cannot_submit(api: Api) -> None:
    path = write_penalties(api.folder / "p.csv", [penalty_row(1)])
    status, body = api.submit(path, key=api.user_key)
    assert status == 403
    assert body["error"] == "forbidden"
    assert api.count(submissions) == 0


def test_a_department_reads_its_submission_and_downloads_its_rejects(api: Api) -> None:
    rows = [penalty_row(1), penalty_row(2, CF_SY=""), penalty_row(3, CF_WFXW="=1+1", CF_YJ="")]
    status, body = api.submit(write_penalties(api.folder / "p.csv", rows))
    assert status == 201
    sid = body["submission_id"]
    auth = {"Authorization": f"Bearer {api.key}"}

    summary = api.client.get(f"/api/v1/submissions/{sid}", headers=auth)
    assert summary.status_code == 200
    assert (summary.json()["rows"], summary.json()["rejected"]) == (3, 2)

    csv_file = api.client.get(f"/api/v1/submissions/{sid}/rejects?format=csv", headers=auth)
    assert csv_file.status_code == 200
    assert csv_file.headers["content-type"].startswith("text/csv")
    lines = csv_file.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("错误说明,原行号,")
    assert "'=1+1" in csv_file.content.decode("utf-8-sig")  # never a live formula
    assert "第3行" in csv_file.content.decode("utf-8-sig")

    xlsx = api.client.get(f"/api/v1/submissions/{sid}/rejects", headers=auth)
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"  # an xlsx workbook
    assert not list((api.folder / "var" / "exports").glob("*"))  # not kept on the server


def test_another_department_cannot_read_a_submission(api: Api) -> None:
    _, body = api.submit(write_penalties(api.folder / "p.csv", [penalty_row(1)]))
    sid = body["submission_id"]
    other = {"Authorization": f"Bearer {api.user_key}"}
    assert api.client.get(f"/api/v1/submissions/{sid}", headers=other).status_code == 404
    rejects = api.client.get(f"/api/v1/submissions/{sid}/rejects", headers=other)
    assert rejects.status_code == 404
    assert api.client.get(f"/api/v1/submissions/{sid}").status_code == 401


def test_the_front_door_is_the_portal_and_the_api_is_documented(api: Api) -> None:
    home = api.client.get("/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert "公共信用信息" in home.text and 'name="q"' in home.text
    assert api.client.get("/docs").status_code == 200


def test_a_department_reads_the_warnings_of_its_submission(api: Api) -> None:
    rows = [registration_row(1, 注册资金="CHI YEE GAVIN）"), registration_row(2)]
    status, body = api.submit(write_registrations(api.folder / "r.csv", rows), "registration")
    assert (status, body["accepted"], body["warnings"]) == (201, 2, 1)
    auth = {"Authorization": f"Bearer {api.key}"}
    response = api.client.get(f"/api/v1/submissions/{body['submission_id']}/warnings", headers=auth)
    assert response.status_code == 200
    (flagged,) = response.json()
    assert flagged["row"] == 2
    assert [(w["field"], w["rule"]) for w in flagged["warnings"]] == [("DJ_ZCZB", "capital_format")]


def test_a_busy_store_answers_503_with_retry_after(api: Api) -> None:
    app = api.client.app

    @app.get("/test-busy")
    def busy() -> None:
        raise Busy("数据库暂时忙，请稍后重试", "the database is busy; retry later")

    response = api.client.get("/test-busy")
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(Busy.retry_after)
    assert response.json()["error"] == "busy"


def test_an_upload_over_the_limit_is_413_and_stores_nothing(api: Api) -> None:
    app = api.client.app
    small = Settings(database_url="sqlite://", var_dir=api.folder / "var", upload_max_bytes=200)
    app.dependency_overrides[deps.get_settings] = lambda: small  # type: ignore[attr-defined]
    rows = [penalty_row(n) for n in range(1, 5)]
    status, body = api.submit(write_penalties(api.folder / "big.csv", rows))
    assert (status, body["error"]) == (413, "too_large")
    assert "200" in body["message"]
    assert api.count(submissions) == 0
    assert not list((api.folder / "var" / "uploads").glob("*"))  # the partial upload is gone


def test_a_submission_marked_as_backload_is_stored_as_one(api: Api) -> None:
    status, body = api.submit(write_penalties(api.folder / "old.csv", [penalty_row(1)]),
                              backload="true")  # fmt: skip
    assert status == 201 and body["backload"] is True
    status, body = api.submit(write_penalties(api.folder / "new.csv", [penalty_row(2)]))
    assert status == 201 and body["backload"] is False
    with api.engine.connect() as conn:
        query = sa.select(submissions.c.file_name, submissions.c.backload)
        flags = {name: flag for name, flag in conn.execute(query)}
    assert flags == {"old.csv": True, "new.csv": False}
    bad, body = api.submit(write_penalties(api.folder / "x.csv", [penalty_row(3)]),
                           backload="perhaps")  # fmt: skip
    assert bad == 422 and api.count(submissions) == 2


def test_an_upload_beyond_the_processs_intakes_at_once_is_refused_before_it_is_read(
    api: Api,
) -> None:
    """Every intake slot held (as by uploads in progress): the next upload gets 503 with
    Retry-After and a message in both languages, nothing of it spooled or stored; once a
    slot is free the same file goes in."""
    path = write_penalties(api.folder / "p.csv", [penalty_row(1), penalty_row(2)])
    with all_held(api.client.app, "intake"):
        with path.open("rb") as fh:
            refused = api.client.post(
                "/api/v1/submissions",
                files={"file": (path.name, fh, "text/csv")},
                data={"dataset": "penalty"},
                headers={"Authorization": f"Bearer {api.key}"},
            )
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == str(Busy.retry_after)
        body = refused.json()
        assert body["error"] == "busy" and "稍后重新提交" in body["zh"]
        assert "submit again later" in body["en"]
        assert api.count(submissions) == 0 and api.count(records) == 0
        uploads = api.folder / "var" / "uploads"
        assert not uploads.exists() or not any(uploads.iterdir())
    status, summary = api.submit(path)
    assert status == 201 and summary["accepted"] == 2
