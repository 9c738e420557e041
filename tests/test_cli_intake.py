"""The ``gongxin`` command for intake: init, dept, key, ingest, rejects, unlinked."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook

from gongxin.db.models import api_keys, submissions
from tests.intake.helpers import (
    PROVIDER,
    penalty_row,
    registration_row,
    write_penalties,
    write_registrations,
    wrong_check,
)
from tests.support.cli import Cli

SUMMARY_KEYS = {
    "submission_id",
    "rows",
    "accepted",
    "updated",
    "duplicates",
    "rejected",
    "unlinked",
}


def penalties_file(folder: Path) -> Path:
    rows = [penalty_row(1), penalty_row(2), penalty_row(3, CF_SY="")]
    rows.append(penalty_row(4, CF_XDR_SHXYM=wrong_check(penalty_row(4)["CF_XDR_SHXYM"])))
    return write_penalties(folder / "penalties.csv", rows)


def ingest_json(cli: Cli, path: Path, dataset: str = "penalty") -> dict[str, object]:
    result = cli.ok("ingest", str(path), "--dataset", dataset, "--provider", PROVIDER, "--json")
    summary = json.loads(result.stdout)  # the whole of stdout is one JSON object
    assert isinstance(summary, dict)
    return summary


def test_key_create_prints_a_key_once(ready: Cli) -> None:
    result = ready.ok(
        "key", "create", "--dept", PROVIDER, "--scope", "submit", "--expires-days", "30"
    )
    (key,) = result.stdout.split()
    match = re.fullmatch(r"gx_([0-9a-f]{8})_\S{20,}", key)
    assert match is not None
    where = api_keys.c.prefix == match.group(1)
    created = ready.scalar(sa.select(api_keys.c.created_at).where(where))
    expires = ready.scalar(sa.select(api_keys.c.expires_at).where(where))
    assert isinstance(created, datetime) and isinstance(expires, datetime)
    assert expires - created == timedelta(days=30)
    assert "仅显示这一次" in result.stderr


def test_key_create_for_an_unknown_department_fails(ready: Cli) -> None:
    result = ready("key", "create", "--dept", "不存在的局", "--scope", "submit")
    assert result.exit_code == 2
    assert "不存在的局" in result.stderr


def test_ingest_json_prints_one_summary_and_exits_0_with_rejects(ready: Cli) -> None:
    summary = ingest_json(ready, penalties_file(ready.folder))
    assert summary.keys() >= SUMMARY_KEYS
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (4, 2, 2)
    assert (summary["updated"], summary["duplicates"], summary["unlinked"]) == (0, 0, 2)
    assert summary["already_processed"] is False
    assert ready.scalar(sa.select(sa.func.count()).select_from(submissions)) == 1


def test_ingest_the_same_file_again(ready: Cli) -> None:
    first = ingest_json(ready, penalties_file(ready.folder))
    again = ingest_json(ready, ready.folder / "penalties.csv")
    assert again["already_processed"] is True
    assert again["submission_id"] == first["submission_id"]


def test_ingest_shows_a_table_without_json(ready: Cli) -> None:
    result = ready.ok(
        "ingest", str(penalties_file(ready.folder)), "--dataset", "penalty", "--provider", PROVIDER
    )
    assert "退回 rejected" in result.stdout
    assert "gongxin rejects" in result.stdout


def test_rejects_are_exported_to_xlsx(ready: Cli) -> None:
    summary = ingest_json(ready, penalties_file(ready.folder))
    out = ready.folder / "errors.xlsx"
    ready.ok("rejects", str(summary["submission_id"]), "--out", str(out))
    book = load_workbook(out)
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    assert rows[0][:2] == ("错误说明", "原行号")
    assert [r[1] for r in rows[1:]] == [4, 5]


def test_rejects_of_an_unknown_submission(ready: Cli) -> None:
    result = ready("rejects", "20990101-deadbeef", "--out", str(ready.folder / "e.csv"))
    assert result.exit_code == 2
    assert "20990101-deadbeef" in result.stderr


def test_unlinked_lists_waiting_records_until_registered(ready: Cli) -> None:
    ingest_json(ready, penalties_file(ready.folder))
    listed = ready.ok("unlinked").stdout
    assert "待关联" in listed and ": 2" in listed
    assert penalty_row(1)["CF_XDR_SHXYM"] in listed
    assert penalty_row(2)["CF_XDR_MC"] in listed
    registered = write_registrations(ready.folder / "reg.csv", [registration_row(1)])
    summary = ingest_json(ready, registered, dataset="registration")
    assert summary["relinked"] == 1
    listed = ready.ok("unlinked", "--dataset", "penalty").stdout
    assert ": 1" in listed and penalty_row(1)["CF_XDR_SHXYM"] not in listed


def test_unknown_dataset_exits_2_with_chinese_and_english(ready: Cli) -> None:
    path = penalties_file(ready.folder)
    result = ready("ingest", str(path), "--dataset", "nonsense", "--provider", PROVIDER)
    assert result.exit_code == 2
    assert "未知的数据集" in result.stderr and "unknown dataset" in result.stderr
    assert "nonsense" in result.stderr
    assert result.stdout == ""


def test_wrong_dataset_exits_2_and_stores_nothing(ready: Cli) -> None:
    path = write_registrations(ready.folder / "reg.csv", [registration_row(1)])
    result = ready("ingest", str(path), "--dataset", "penalty", "--provider", PROVIDER, "--json")
    assert result.exit_code == 2
    assert "penalty" in result.stderr
    assert ready.scalar(sa.select(sa.func.count()).select_from(submissions)) == 0


def test_warnings_lists_rows_accepted_with_warnings(ready: Cli) -> None:
    rows = [registration_row(1, 注册资金="CHI YEE GAVIN）"), registration_row(2)]
    path = write_registrations(ready.folder / "reg.csv", rows)
    shown = ready.ok("ingest", str(path), "--dataset", "registration", "--provider", PROVIDER)
    match = re.search(r"gongxin warnings (\S+)", shown.stdout)
    assert match, shown.stdout  # the summary tells the clerk where to look
    listed = ready.ok("warnings", match.group(1))
    assert "DJ_ZCZB" in listed.stdout and "CHI YEE GAVIN" in listed.stdout
    assert "1 行 rows" in listed.stdout


def test_ingest_backload_marks_the_submission(ready: Cli) -> None:
    result = ready.ok(
        "ingest", str(penalties_file(ready.folder)), "--dataset", "penalty",
        "--provider", PROVIDER, "--backload", "--json",
    )  # fmt: skip
    assert json.loads(result.stdout)["backload"] is True
    assert ready.scalar(sa.select(submissions.c.backload)) is True
