"""The bulk engine (DuckDB) gives the same answers as the single check (indexed lookups)."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from gongxin.db.models import records, subjects
from gongxin.ids import areas, ric, uscc
from gongxin.sanctions import bulk, bulk_input, bulk_lookup, files, scenes, snapshot
from gongxin.sanctions.memoranda import book
from tests.intake.helpers import catalog, make_uscc
from tests.sanctions.helpers import TODAY, World, open_world


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield from open_world(db_url)


def test_bulk_and_single_checks_agree(world: World, tmp_path: Path) -> None:
    items: list[str] = []
    for n, dataset in enumerate(
        ["dishonest_debtor", "red_list", "tax_a", "commitment", "abnormal_list"], 1
    ):
        sid, code = world.subject(n, f"公司{n}")
        world.entry(dataset, code, subject_id=sid)
        items.append(code)
    sid, code = world.subject(9, "两榜公司")
    world.entry("serious_dishonest_list", code, subject_id=sid)
    world.entry("tax_a", code, subject_id=sid)
    world.entry("abnormal_list", code, subject_id=sid, removed="2026-01-01")
    _, clean = world.subject(10, "清白商贸有限公司")  # registered, on no list
    unlinked = make_uscc(800)
    world.entry("gov_procurement_violation", unlinked, name="未登记公司")
    items += [code, unlinked, make_uscc(999), code.lower(), "公司1", "not a code 1", "12345"]
    items += [clean, clean.lower(), "清白商贸有限公司"]
    # a person's ID number that also passes the USCC check: an error, never a company code
    items.append("110105199906012395")
    items.append(" ９" + code[1:] + " ")  # full width and spaces: the Python path
    source = tmp_path / "codes.csv"
    source.write_text("代码\n" + "\n".join(items) + "\n", encoding="utf-8")
    single = world.check(items, scene="政府采购").results
    with world.engine.connect() as conn:
        snap, _ = snapshot.current(conn, catalog(), TODAY)
        scene = scenes.resolve("政府采购")
        with bulk.run(
            conn, catalog(), source, scene=scene, snapshot=snap, book=book(conn, catalog())
        ) as result:
            rows = [dict(zip(bulk.OUT_COLUMNS, r, strict=True)) for r in result.rows()]
            logged = list(result.log_rows("x"))
    assert [r["position"] for r in rows] == list(range(len(items)))
    assert result.subjects == len(items) and result.errors == 3
    assert sum("清白商贸有限公司（按代码匹配）" in r["explanation"] for r in rows) == 2
    for s, b, log_row in zip(single, rows, logged, strict=True):
        assert b["query"] == s["query"].strip() or b["query"] == s["query"]
        if "error" in s:
            assert b["error"] and orjson.loads(b["error"])["error"] == s["error"]["error"]
            continue
        assert b["match"] == s["match"] and b["subject_code"] == s["subject"]["code"]
        assert b["subject_name"] == s["subject"]["name"], (s["query"], b["subject_name"])
        ids = {m["id"] for m in s["measures"] + s["rewards"]}
        got = {m["id"] for m in orjson.loads(log_row[9] or "[]")}
        assert got == ids, (s["query"], got, ids)
        hits = sorted(h["list_type"] for h in s["hits"])
        assert sorted(h["list_type"] for h in orjson.loads(log_row[8] or "[]")) == hits
        assert b["explanation"] == s["explanation"], (s["query"], b["explanation"])
        assert ("未列入" in b["explanation"]) == (not hits)


def test_the_column_uscc_rule_matches_python() -> None:
    rng = random.Random(7)
    codes = [make_uscc(n) for n in range(200)]
    for _ in range(300):  # letters anywhere they are allowed, authorities A, N, Y
        body = (
            rng.choice("".join(uscc.AUTHORITIES)) + str(rng.randrange(10))
            + "".join(rng.choice("0123456789") for _ in range(6))
            + "".join(rng.choice(uscc.ALPHABET) for _ in range(9))
        )  # fmt: skip
        codes.append(body + uscc.calc_check_digit(body))
    codes += [c[:-1] + rng.choice(uscc.ALPHABET) for c in codes]  # mostly wrong check chars
    codes += ["B" + c[1:] for c in codes[:50]]  # authority B does not exist
    codes += ["0" + c[1:] for c in codes[:50]]  # nor 0
    codes += ["91110108MA0" + c[11:] for c in codes[:50]]
    codes += [c[:5] + "I" + c[6:] for c in codes[:50]] + [c[:12] + "O" + c[13:] for c in codes]
    codes += [c.lower() for c in codes[:300]] + [f" {c} " for c in codes[:50]]
    codes += [c[:17] for c in codes[:20]] + [c + "1" for c in codes[:20]] + ["", "+" + "1" * 17]
    codes += ["\u3000" + c + "\u00a0" for c in codes[:20]]  # wide spaces: trimmed like SQL
    for n in range(400):  # resident ID numbers, some of which pass the USCC check too
        born = date(1950, 1, 1) + timedelta(days=n * 53)
        body = f"{rng.choice(['11', '31', '44', '99'])}0105{born:%Y%m%d}{n % 1000:03d}"
        codes.append(body + ric.calc_check_digit(body))
    odd_days = ["20230229", "20000229", "19000229", "20241301", "20240431", "17991231", "21500101"]
    for n in range(3000):  # odd dates: only the codes that pass the USCC check too matter
        body = f"{rng.choice(['11', '44'])}0105{odd_days[n % 7]}{n % 1000:03d}"
        code = body + ric.calc_check_digit(body)
        if uscc.is_valid(code):
            codes.append(code)
    table = bulk_input.validate(pa.array(codes))
    got = table.column("code").to_pylist()
    assert len(got) == len(codes) and table.column("pos").to_pylist() == list(range(len(codes)))
    for c, code in zip(codes, got, strict=True):
        valid = uscc.is_valid(c.strip().upper()) and not _ric_like(c.strip().upper())
        assert (code is not None) == valid, c
        assert code is None or code == c.strip().upper()
    assert table.column("query").to_pylist() == [c.strip() for c in codes]


def _ric_like(code: str) -> bool:
    """Shaped like a resident ID number (the bulk check leaves these to ids.classify)."""
    if len(code) != 18 or not code[:17].isdigit() or not areas.is_resident_area(code):
        return False
    try:
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    if not 1800 <= born.year < 2100:
        return False
    return ric.calc_check_digit(code[:17]) == code[17]


def _hits(world: World, source: Path) -> int:
    with world.engine.connect() as conn:
        snap, _ = snapshot.current(conn, catalog(), TODAY)
        scene = scenes.resolve("政府采购")
        with bulk.run(
            conn, catalog(), source, scene=scene, snapshot=snap, book=book(conn, catalog())
        ) as result:
            return result.hits


def test_the_snapshot_is_reused_until_the_store_changes(world: World, tmp_path: Path) -> None:
    sid, code = world.subject(1, "甲公司")
    world.entry("dishonest_debtor", code, subject_id=sid)
    later = make_uscc(700)
    source = tmp_path / "codes.csv"
    source.write_text(f"{code}\n{later}\n", encoding="utf-8")
    with world.engine.connect() as conn:
        first, cached = snapshot.current(conn, catalog(), TODAY)
        again, cached_again = snapshot.current(conn, catalog(), TODAY)
    assert not cached and cached_again and again is first
    assert _hits(world, source) == 1
    world.entry("abnormal_list", later, name="后列入公司")  # a new entry: rebuilt at once
    assert _hits(world, source) == 2
    new, _ = world.subject(700, "后列入公司")
    with world.engine.connect() as conn:
        before, _ = snapshot.current(conn, catalog(), TODAY)
    with world.engine.begin() as conn:  # linking a waiting record changes no version
        conn.execute(sa.update(records).where(records.c.link_code == later).values(subject_id=new))
    with world.engine.connect() as conn:
        linked, cached = snapshot.current(conn, catalog(), TODAY)
        other_day, _ = snapshot.current(conn, catalog(), date(2024, 1, 1))
    assert not cached and linked is not before
    assert linked.entries == 2 and other_day.entries == 0


def test_a_large_file_names_subjects_as_the_register_is_now(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file large against the register reads the register whole, once per snapshot: a
    subject renamed (or registered) since is named as it is now, not as it was."""
    monkeypatch.setattr(bulk_lookup, "SCAN_RATIO", 10**9)  # always read the register whole
    sid, code = world.subject(1, "旧名称有限公司")
    later = make_uscc(2)
    source = tmp_path / "codes.csv"
    source.write_text(f"{code}\n{later}\n", encoding="utf-8")
    assert _names(world, source) == ["旧名称有限公司", None]
    assert _names(world, source) == ["旧名称有限公司", None]  # the same snapshot, cached
    with world.engine.begin() as conn:  # renamed, as the register records a change
        conn.execute(
            sa.update(subjects)
            .where(subjects.c.id == sid)
            .values(name="新名称有限公司", updated_at=datetime(2026, 11, 23, tzinfo=UTC))
        )
    assert _names(world, source) == ["新名称有限公司", None]
    world.subject(2, "新登记有限公司")
    assert _names(world, source) == ["新名称有限公司", "新登记有限公司"]


def _names(world: World, source: Path) -> list[str | None]:
    with world.engine.connect() as conn:
        snap, _ = snapshot.current(conn, catalog(), TODAY)
        with bulk.run(
            conn, catalog(), source, scene=scenes.resolve("政府采购"), snapshot=snap,
            book=book(conn, catalog()),
        ) as result:  # fmt: skip
            return [row[5] for row in result.rows()]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_check_result_files_neutralise_formulas(world: World, tmp_path: Path, suffix: str) -> None:
    """A query such as =HYPERLINK(…) is echoed back in the result file as text, never as a
    formula; the position and confidence stay numbers."""
    link = '=HYPERLINK("http://evil.example","点击")'
    sid, code = world.subject(1, "公司1")
    world.entry("dishonest_debtor", code, subject_id=sid)
    source = tmp_path / "codes.csv"
    source.write_text(f'代码\n{code}\n"{link.replace(chr(34), chr(34) * 2)}"\n', encoding="utf-8")
    out = tmp_path / f"result{suffix}"
    with world.engine.connect() as conn:
        snap, _ = snapshot.current(conn, catalog(), TODAY)
        with bulk.run(
            conn,
            catalog(),
            source,
            scene=scenes.resolve("政府采购"),
            snapshot=snap,
            book=book(conn, catalog()),
        ) as result:
            files._write(result, out)  # fmt: skip
    if suffix == ".csv":
        lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        queries = [line[1] for line in lines[1:]]
        assert lines[1][0] == "0" and lines[1][3] == "1.0"
    else:
        sheet = load_workbook(out).worksheets[0]
        rows = list(sheet.iter_rows(min_row=2))
        assert "f" not in {c.data_type for row in rows for c in row}
        queries = [row[1].value for row in rows]
        assert rows[0][0].value == 1 and rows[0][0].data_type == "n"
    assert queries == [code, "'" + link]
