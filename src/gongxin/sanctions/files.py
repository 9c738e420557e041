"""The bulk credit check of a file: snapshot, the check job (DuckDB or Spark), result file,
log — one call.

The result file is ``.xlsx`` (opens in Excel/WPS; at most 1,048,575 subjects), ``.csv``
(UTF-8 with BOM, so that Excel reads the Chinese) or ``.json`` (a list of objects).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from gongxin import formulas
from gongxin.analytics import engines
from gongxin.audit import log as audit
from gongxin.catalog.registry import Catalog
from gongxin.db import dialect
from gongxin.db.sanctions_tables import check_results, checks
from gongxin.errors import InvalidInput
from gongxin.sanctions import bulk, scenes, snapshot
from gongxin.sanctions.check import Check, new_id
from gongxin.sanctions.log import RESULT_COLUMNS
from gongxin.sanctions.match import MATCH_NAMES
from gongxin.sanctions.memoranda import book

FORMATS = (".xlsx", ".csv", ".json")
XLSX_MAX_ROWS = 1_048_575
HEADINGS = (
    "序号", "查询内容", "匹配方式", "置信度", "主体代码", "主体名称", "命中名单", "惩戒措施",
    "激励措施", "说明", "错误",
)  # fmt: skip


@dataclass(frozen=True)
class FileCheck:
    id: str
    scene: scenes.Scene
    as_of: date
    subjects: int
    hits: int
    errors: int
    out: Path
    seconds: dict[str, float]  # per phase


def _write(result: bulk.BulkCheck, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix == ".csv":
        tmp = out.with_name(out.name + ".part")
        result.to_csv(tmp)
        with out.open("wb") as fh, tmp.open("rb") as src:
            fh.write(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8
            shutil.copyfileobj(src, fh)
        tmp.unlink()
    elif suffix == ".json":
        with out.open("wb") as fh:
            fh.write(b"[")
            for n, row in enumerate(result.rows()):
                item = dict(zip(bulk.OUT_COLUMNS, row, strict=True))
                if item["error"]:
                    item["error"] = orjson.loads(item["error"])
                fh.write((b",\n" if n else b"\n") + orjson.dumps(item))
            fh.write(b"\n]\n")
    else:
        if result.subjects > XLSX_MAX_ROWS:
            raise InvalidInput(
                f"Excel 最多 {XLSX_MAX_ROWS:,} 行；请改用 .csv 输出",
                f"an .xlsx sheet holds at most {XLSX_MAX_ROWS:,} rows; write .csv instead",
            )
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("核查结果")
        sheet.append(formulas.xlsx_row(sheet, HEADINGS))
        for row in result.rows():
            values = list(row[:-1])
            values[0] = int(values[0]) + 1  # 序号 counts from 1
            values[2] = MATCH_NAMES.get(str(values[2]), (values[2],))[0]
            error = orjson.loads(row[-1])["message"] if row[-1] else None
            sheet.append(formulas.xlsx_row(sheet, [*values, error]))
        workbook.save(out)


def _names(items: Any) -> str:
    return "；".join(str(m.get("text") or m.get("list_name") or m.get("id")) for m in items or [])


def write_results(check: Check, out: Path) -> None:
    """The workbook of a single check's answer (``check.run``/``evaluate``): the same columns
    as a file check's, an error in 错误 (never a 未命中), the header frozen."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("核查结果")
    sheet.freeze_panes = "A2"
    widths = (6, 24, 12, 8, 22, 30, 24, 40, 30, 60, 50)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(formulas.xlsx_row(sheet, HEADINGS))
    for r in check.results:
        error = r.get("error")
        subject = r.get("subject") or {}
        match = MATCH_NAMES.get(str(r.get("match")), ("",))[0] if not error else ""
        hits = "；".join(str(h.get("list_name")) for h in r.get("hits", []))
        sheet.append(
            formulas.xlsx_row(
                sheet,
                [
                    r["position"] + 1, r["query"], match, r.get("confidence"),
                    subject.get("code"), subject.get("name"),
                    hits or ("" if error else "未命中"),
                    _names(r.get("measures")), _names(r.get("rewards")),
                    r.get("explanation"), error["message"] if error else None,
                ],
            )
        )  # fmt: skip
    workbook.save(out)


def _read(run: Callable[[], bulk.BulkCheck], source: Path) -> bulk.BulkCheck:
    """``run``, with a file that cannot be read (a damaged workbook, not a table) a 400."""
    import zipfile

    import duckdb

    try:
        return run()
    except (zipfile.BadZipFile, duckdb.Error, UnicodeError, OSError, ValueError) as exc:
        raise InvalidInput(
            f"无法读取主体文件 {source.name[:80]}：须为第一列为代码或名称的 CSV、TXT 或 XLSX",
            f"cannot read {source.name[:80]!r}: give a CSV, TXT or XLSX with codes or names "
            "in its first column",
            reason=type(exc).__name__,
        ) from None


def check_file(
    engine: sa.Engine,
    catalog: Catalog,
    source: Path,
    out: Path,
    *,
    scene: str,
    as_of: date,
    now: datetime,
    requester: str,
    purpose: str,
    actor: str = "cli",
    department_id: int | None = None,
    clock: Callable[[], float] | None = None,
    engine_name: str = "duckdb",
    master: str = "local[*]",
    grade_models: Sequence[str] = (),
) -> FileCheck:
    """Check every subject of ``source`` in ``scene`` on ``as_of`` on the batch engine
    ``engine_name`` (``duckdb`` or ``spark``), write ``out``, log it. With ``grade_models``,
    a registered subject's current grades end its explanation."""
    import time

    tick = clock or time.perf_counter
    found = scenes.resolve(scene)
    if out.suffix.lower() not in FORMATS:
        raise InvalidInput(
            f"结果文件须为 {'、'.join(FORMATS)}：{out.name}",
            f"the result file must end in {', '.join(FORMATS)}: {out.name}",
        )
    if not source.is_file():
        raise InvalidInput(f"找不到文件：{source}", f"no such file: {source}")
    seconds: dict[str, float] = {}
    runner = engines.make(engine_name, master=master)  # no Java or pyspark: refused at once
    start = tick()
    try:
        with engine.connect() as conn:
            snap, _cached = snapshot.current(conn, catalog, as_of)
            measures = book(conn, catalog)
            seconds["snapshot"] = tick() - start
            start = tick()
            result = _read(lambda: bulk.run(
                conn, catalog, source, scene=found, snapshot=snap, book=measures,
                engine=runner, grade_models=grade_models,
            ), source)  # fmt: skip
    finally:
        runner.close()
    with result:
        seconds["check"] = tick() - start
        start = tick()
        _write(result, out)
        seconds["write"] = tick() - start
        start = tick()
        check_id = new_id(now)
        with engine.begin() as conn:
            conn.execute(
                checks.insert().values(
                    id=check_id, department_id=department_id, actor=actor,
                    requester=requester[:200], purpose=purpose, scene=found.code,
                    as_of=as_of, created_at=now, subjects=result.subjects,
                    hits=result.hits, errors=result.errors,
                )
            )  # fmt: skip
            dialect.bulk_insert(conn, check_results, RESULT_COLUMNS, result.log_rows(check_id))
            audit.record(
                conn, actor=actor, action="sanctions.check", target=f"check:{check_id}",
                now=now, department_id=department_id, purpose=purpose,
                detail={"scene": found.code, "as_of": as_of.isoformat(), "file": source.name,
                        "subjects": result.subjects, "hits": result.hits,
                        "errors": result.errors, "requester": requester[:200]},
            )  # fmt: skip
        seconds["log"] = tick() - start
        return FileCheck(
            check_id, found, as_of, result.subjects, result.hits, result.errors, out, seconds
        )
