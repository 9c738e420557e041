"""Hostile files are refused quickly, in bounded memory, with a clear error and nothing stored:
deeply nested JSON and JSON Lines, an oversized JSON Lines record, a zip-bomb-like XLSX of
blank rows, an XLSX declaring a DTD and entities, a sheet of endless blank rows. And on SQLite,
a login goes through while a large file is being read and checked."""

from __future__ import annotations

import threading
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from gongxin.db.engine import make_engine
from gongxin.errors import UnreadableFile
from gongxin.identity import accounts, departments, sessions
from gongxin.identity.roles import Role
from gongxin.intake.readers import ReadLimits, open_table
from gongxin.jsonguard import TooDeep
from tests.intake.helpers import AS_OF, Store, catalog, open_store, penalty_row
from tests.support.passwords import fast_argon2  # noqa: F401 - cheap hashes for the login

EMPTY = {"submissions": 0, "records": 0, "rejects": 0}


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    yield from open_store(db_url, tmp_path)


def _nothing_stored(store: Store) -> None:
    assert {t: store.count(t) for t in EMPTY} == EMPTY


def test_deeply_nested_json_is_refused_in_bounded_memory(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b'[{"CF_XDR_MC": ' + b"[" * 400_000 + b"]" * 400_000 + b"}]")
    catalog()  # loaded once per process: not part of what is measured
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(TooDeep) as caught:
            store.ingest(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 50 * 1024**2
    assert caught.value.status == 400
    assert "嵌套超过 32 层" in caught.value.zh
    _nothing_stored(store)


def test_deeply_nested_json_lines_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    good = '{"CF_XDR_MC": "北京测试商贸有限公司", "CF_WSH": "京市监罚〔2026〕1号"}\n'
    path.write_text(good + '{"CF_XDR_MC": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    with pytest.raises(TooDeep) as caught, open_table(path) as table:
        list(table.rows)
    assert "第 2 行" in caught.value.zh and "line 2" in caught.value.en


def test_a_json_lines_record_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text('{"a": 1}\n{"a": "' + "x" * 5000 + '"}\n')
    limits = ReadLimits(record_max_bytes=2048)
    with pytest.raises(UnreadableFile) as caught, open_table(path, limits=limits) as table:
        list(table.rows)
    assert "第 2 行超过 2048" in caught.value.zh


def _blank_rows_xlsx(path: Path, blank_rows: int, cells: int = 1) -> Path:
    """A header, one record, then ``blank_rows`` empty but present rows of ``cells`` styled
    empty cells, then one more record: tiny once zipped, as a zip bomb is."""
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>行政相对人名称</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>北京测试商贸有限公司</t></is></c></row>'
    )
    last = blank_rows + 3
    blank = '<c s="1"/>' * cells
    rows = "".join(f"<row>{blank}</row>" for n in range(3, last))
    tail = (
        f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>另一家公司</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    workbook = openpyxl.Workbook()
    workbook.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (head + rows + tail).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def test_a_zip_bomb_of_blank_rows_is_refused_before_opening(store: Store, tmp_path: Path) -> None:
    path = _blank_rows_xlsx(tmp_path / "bomb.xlsx", 50_000, cells=40)
    assert path.stat().st_size < 1024**2  # small compressed …
    catalog()
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as caught:
        store.ingest(path)
    assert time.monotonic() - started < 3  # … refused without unpacking it
    assert "压缩比" in caught.value.zh and "200" in caught.value.zh
    assert caught.value.details["part"] == "xl/worksheets/sheet1.xml"
    _nothing_stored(store)


def test_endless_blank_rows_stop_the_reading_naming_the_row(tmp_path: Path) -> None:
    path = _blank_rows_xlsx(tmp_path / "blank.xlsx", 300)
    limits = ReadLimits(max_blank_rows=100)
    with pytest.raises(UnreadableFile) as caught, open_table(path, limits=limits) as table:
        list(table.rows)
    assert "从第 3 行起连续超过 100 行为空" in caught.value.zh
    assert caught.value.details["row"] == 3
    # within the bound the same kind of file reads as usual: both records, the blanks skipped
    with open_table(path, limits=ReadLimits(max_blank_rows=1000)) as table:
        assert [r.values[0] for r in table.rows] == ["北京测试商贸有限公司", "另一家公司"]


def test_an_xlsx_declaring_entities_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "entities.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["行政相对人名称"])
    workbook.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&b;</t></si></sst>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    with pytest.raises(UnreadableFile) as caught:
        store.ingest(path)
    assert "DTD" in caught.value.zh and caught.value.details["part"] == "xl/sharedStrings.xml"
    _nothing_stored(store)


def test_a_login_goes_through_while_a_large_file_is_checked(
    store: Store, tmp_path: Path, db_url: str
) -> None:
    """The ingest is held in the middle of reading and checking its file; meanwhile a login
    (which writes: the session, the failure count) must finish within two seconds."""
    with store.engine.begin() as conn:
        departments.add(conn, "市信用中心", kind="centre", code=None, now=AS_OF)
        accounts.add_user(
            conn, "clerk", department="市信用中心", roles=[Role.CENTRE_ADMIN],
            password="Qiang-Mima-2026!", now=AS_OF,
        )  # fmt: skip
    path = store.penalties("big.csv", [penalty_row(n) for n in range(3000)])
    reading = threading.Event()
    login_done = threading.Event()
    failure: list[BaseException] = []

    def progress(rows: int) -> None:
        if not reading.is_set():
            reading.set()
            login_done.wait(10)  # hold the ingest mid-file until the login has had its turn

    def run() -> None:
        try:
            store.ingest(path, batch_rows=500, progress=progress)
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)
            reading.set()

    worker = threading.Thread(target=run)
    worker.start()
    other = make_engine(db_url, busy_timeout_ms=2000)
    try:
        assert reading.wait(10)
        started = time.monotonic()
        try:
            with other.connect() as conn:
                user = accounts.authenticate(
                    conn, "clerk", "Qiang-Mima-2026!", now=AS_OF, address="127.0.0.1"
                )  # fmt: skip
                sessions.create(conn, user, now=AS_OF, absolute=timedelta(hours=1))
                conn.commit()
        finally:
            login_done.set()
        assert time.monotonic() - started < 2.5
    finally:
        worker.join(30)
        other.dispose()
    assert not failure, failure
    assert store.count("records") == 3000
