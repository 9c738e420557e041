"""ingest() on awkward values: date spellings and Excel serials, the long-term date, full-width
codes, null tokens, and undecodable bytes (mojibake)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from gongxin.intake.rejects import warnings_of
from tests.intake.helpers import (
    PENALTY,
    REGISTRATION,
    Store,
    assert_reconciles,
    by_row,
    penalty_row,
    penalty_table,
    registration_row,
    write_registrations,
    write_xlsx,
)

DAY = date(2024, 1, 5)
SERIAL = (DAY - date(1899, 12, 30)).days  # 45296
SPELLINGS = ["2024/1/5", "2024-01-05", "20240105", "2024年1月5日", str(SERIAL), "2024/01/05 00:00"]


def test_date_spellings_in_a_csv_are_stored_as_one_iso_date(store: Store) -> None:
    rows = [penalty_row(n, CF_JDRQ=text) for n, text in enumerate(SPELLINGS, 1)]
    summary = store.ingest(store.penalties("dates.csv", rows))
    assert (summary.accepted, summary.rejected) == (len(SPELLINGS), 0)
    records = store.records()
    assert {r["data"]["CF_JDRQ"] for r in records} == {"2024-01-05"}
    assert {r["event_date"] for r in records} == {DAY}


def test_dates_in_an_xlsx_as_serials_dates_and_text(store: Store) -> None:
    cells: list[object] = [SERIAL, float(SERIAL), datetime(2024, 1, 5), DAY, "2024/1/5", "45296"]
    rows = [penalty_row(n) for n in range(1, len(cells) + 1)]
    headers, text = penalty_table(rows)
    column = headers.index(PENALTY["CF_JDRQ"])
    values: list[list[object]] = [list(line) for line in text]
    for line, cell in zip(values, cells, strict=True):
        line[column] = cell
    summary = store.ingest(write_xlsx(store.folder / "dates.xlsx", headers, values))
    assert summary.format == "xlsx"
    assert (summary.accepted, summary.rejected) == (len(cells), 0)
    assert {r["data"]["CF_JDRQ"] for r in store.records()} == {"2024-01-05"}


def test_2099_12_31_means_long_term_but_not_as_a_decision_date(store: Store) -> None:
    rows = [
        penalty_row(1, CF_YXQ="2099/12/31"),
        penalty_row(2, CF_JDRQ="2099/12/31", CF_YXQ="2099/12/31"),
        penalty_row(3, CF_JDRQ="2026/11/23"),  # the day after the submission
        penalty_row(4, CF_JDRQ="2026/11/22"),  # the day of the submission
    ]
    summary = store.ingest(store.penalties("future.csv", rows))
    assert (summary.accepted, summary.rejected) == (2, 2)
    found = by_row(store.rejects(summary.submission_id))
    assert sorted(found) == [3, 4]
    for row in (3, 4):
        (error,) = found[row].errors
        assert (error["field"], error["rule"]) == ("CF_JDRQ", "not_after_today")
    assert store.records()[0]["data"]["CF_YXQ"] == "2099-12-31"


def test_full_width_codes_are_accepted_and_stored_compact(store: Store) -> None:
    rows = [penalty_row(1, CF_XDR_SHXYM="９１１１０１０８５５１３８５０８２Ｑ")]
    rows.append(penalty_row(2, CF_XDR_SHXYM=" 9111 0108 5513 8508 2q "))
    summary = store.ingest(store.penalties("wide.csv", rows))
    assert (summary.accepted, summary.rejected) == (2, 0)
    for record in store.records():
        assert record["data"]["CF_XDR_SHXYM"] == "91110108551385082Q"
        assert record["link_code"] == "91110108551385082Q"


def test_null_tokens_and_empty_values(store: Store) -> None:
    rows = [
        penalty_row(1, BZ="N/A"),
        penalty_row(2, BZ=""),
        penalty_row(3, BZ="  "),
        penalty_row(4, CF_SY="N/A"),
        penalty_row(5, CF_CFJG=""),
        penalty_row(6, CF_JDRQ="null"),
    ]
    summary = store.ingest(store.penalties("nulls.csv", rows))
    assert (summary.accepted, summary.rejected) == (3, 3)
    for record in store.records():
        assert record["data"].get("BZ") is None
    found = by_row(store.rejects(summary.submission_id))
    assert {row: r.errors[0]["field"] for row, r in found.items()} == {
        5: "CF_SY",
        6: "CF_CFJG",
        7: "CF_JDRQ",
    }
    assert all(r.rules == {"required"} for r in found.values())


def test_an_empty_optional_code_is_no_code(store: Store) -> None:
    rows = [penalty_row(1, CF_XDR_GSZC="N/A", CF_XDR_ZZJG="")]
    summary = store.ingest(store.penalties("codes.csv", rows, columns=list(PENALTY)))
    assert (summary.accepted, summary.rejected) == (1, 0)
    data = store.records()[0]["data"]
    assert data.get("CF_XDR_GSZC") is None and data.get("CF_XDR_ZZJG") is None


def utf8_with_bad_bytes(text: str, marker: str) -> bytes:
    """The UTF-8 text with ``marker`` replaced by bytes that are not UTF-8."""
    return text.encode().replace(marker.encode(), b"\xff\xfe")


def test_mojibake_in_a_code_rejects_the_row_naming_the_code(store: Store) -> None:
    rows = [penalty_row(n) for n in range(1, 30)]
    rows[4]["CF_XDR_SHXYM"] = rows[4]["CF_XDR_SHXYM"][:6] + "@@" + rows[4]["CF_XDR_SHXYM"][8:]
    path = store.penalties("moji.csv", rows)
    path.write_bytes(utf8_with_bad_bytes(path.read_text(encoding="utf-8"), "@@"))
    summary = store.ingest(path)
    assert summary.encoding == "utf-8"
    assert (summary.rows, summary.accepted, summary.rejected) == (29, 28, 1)
    (reject,) = store.rejects(summary.submission_id)
    assert reject.row_no == 6
    assert reject.fields == {"CF_XDR_SHXYM"}
    assert reject.errors[0]["name"] == PENALTY["CF_XDR_SHXYM"]
    assert "\ufffd" in reject.raw[PENALTY["CF_XDR_SHXYM"]]
    assert summary.notes  # the damage is reported


def test_mojibake_in_an_address_is_accepted_with_a_warning(store: Store) -> None:
    rows = [registration_row(n) for n in range(1, 30)]
    rows[2]["注册地址"] = "北京市海淀区@@路1号"
    path = write_registrations(store.folder / "reg.csv", rows)
    path.write_bytes(utf8_with_bad_bytes(path.read_text(encoding="utf-8"), "@@"))
    summary = store.ingest(path, dataset="registration")
    assert (summary.rows, summary.accepted, summary.rejected) == (29, 29, 0)
    assert summary.warnings == 1
    address = store.subject(uscc=rows[2]["统一社会信用代码"])["address"]
    assert address.startswith("北京市海淀区") and "\ufffd" in address
    assert_reconciles(summary)
    with store.engine.connect() as conn:
        flagged = warnings_of(conn, summary.submission_id)
    assert [n for n, _ in flagged] == [4]  # the third data row is spreadsheet row 4
    (problem,) = flagged[0][1]
    assert (problem.field, problem.name, problem.rule) == ("DJ_ZCDZ", "注册地址", "mojibake")
    assert "乱码" in problem.zh and "undecodable" in problem.en


def test_unreadable_capital_is_kept_as_written_with_a_warning(store: Store) -> None:
    """A shifted real row put a name fragment under 注册资金: the code is valid, so the row is
    accepted, the text is kept and the clerk is told."""
    rows = [registration_row(1, 注册资金="CHI YEE GAVIN）"), registration_row(2)]
    summary = store.ingest(
        write_registrations(store.folder / "reg.csv", rows), dataset="registration"
    )
    assert (summary.accepted, summary.rejected, summary.warnings) == (2, 0, 1)
    with store.engine.connect() as conn:
        ((row_no, (problem,)),) = warnings_of(conn, summary.submission_id)
    assert (row_no, problem.field, problem.rule) == (2, "DJ_ZCZB", "capital_format")
    assert problem.value == "CHI YEE GAVIN）" and "原文" in problem.zh
    subject = store.subject(uscc=rows[0]["统一社会信用代码"])
    assert subject["capital"] is None


def test_registration_capital_and_dates_are_normalised(store: Store) -> None:
    rows = [
        registration_row(1, 注册资金="2,000(万元人民币)", 注册日期="1993/1/5"),
        registration_row(2, 注册资金="168(万美元)", 注册日期="19930105"),
        registration_row(3, 注册资金="34.6000(万元人民币)", 注册日期="1993年1月5日"),
        registration_row(4, 注册资金="N/A", 法人代表="N/A", 企业类型="N/A"),
    ]
    summary = store.ingest(
        write_registrations(store.folder / "reg.csv", rows), dataset="registration"
    )
    assert (summary.accepted, summary.rejected) == (4, 0)
    found = [store.subject(uscc=r[REGISTRATION[1]]) for r in rows]
    assert [(s["capital"], s["capital_unit"]) for s in found[:3]] == [
        (Decimal("2000"), "万元人民币"),
        (Decimal("168"), "万美元"),
        (Decimal("34.6"), "万元人民币"),
    ]
    assert {s["reg_date"] for s in found[:3]} == {date(1993, 1, 5)}
    assert (found[3]["capital"], found[3]["legal_rep"], found[3]["entity_type"]) == (
        None,
        None,
        None,
    )
