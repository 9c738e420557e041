"""The statistical anomaly rule: the penalty rate of an industry × region cell against the same
industry in other regions. It fires on a cell that stands out and not on a near miss (a cell
as penalised, in an industry penalised as much everywhere). DuckDB and Spark agree on it over
the demo, where it is planted (tests/analytics/test_warning_contract.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gongxin.analytics.engines import DuckDBEngine
from gongxin.supervision import warning_queue
from gongxin.supervision.rules import load_rules
from gongxin.supervision.warnings import run
from tests.intake.helpers import REGISTRATION, Store, catalog, make_uscc, penalty_row, write_csv
from tests.subjects.test_registration_details import DETAILS, detailed_row

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
# (industry, region, subjects, penalised within the window)
CELLS = [
    ("C1811", "110105", 6, 5),  # fires: 5 of 6, against 1 of 12 elsewhere in 纺织服装 (C18)
    ("C1811", "110107", 12, 1),
    ("C1713", "110105", 6, 5),  # near miss: 5 of 6 too, but C17 is as penalised elsewhere
    ("C1713", "110107", 12, 6),
]


@pytest.fixture
def cells(store: Store) -> list[list[int]]:
    """The subjects of each cell of ``CELLS``, penalised ones first."""
    rows, plan, n = [], [], 0
    for industry, region, size, penalised in CELLS:
        members = []
        for i in range(size):
            n += 1
            members.append(n)
            plain = dict.fromkeys(("法定代表人证件号码", "股东及出资信息", "变更记录", "联系电话",
                                   "电子邮箱"), "")  # fmt: skip
            rows.append(detailed_row(n, 行业代码=industry, 行政区划代码=region,
                                     注册地址=f"独立路{n}号", **plain))  # fmt: skip
            if i < penalised:
                plan.append(n)
        plan.append(-members[-1])  # an old penalty (outside the window) never counts
    headers = REGISTRATION + DETAILS
    path = write_csv(
        store.folder / "r.csv", headers, ([r.get(h, "") for h in headers] for r in rows)
    )
    assert store.ingest(path, dataset="registration").rejected == 0
    penalties = [
        penalty_row(abs(m), CF_WSH=f"京市监罚〔2026〕{abs(m)}号",
                    CF_JDRQ="2026/10/15" if m > 0 else "2025/06/01")
        for m in plan
    ]  # fmt: skip
    assert store.ingest(store.penalties("p.csv", penalties)).accepted == len(plan)
    out, n = [], 0
    for _, _, size, _ in CELLS:
        out.append([store.subject(uscc=make_uscc(n + i + 1))["id"] for i in range(size)])
        n += size
    return out


def test_fires_on_the_standing_out_cell_and_not_on_the_near_miss(
    store: Store, cells: list[list[int]], tmp_path: Path
) -> None:
    rules = load_rules(catalog())
    run(store.engine, catalog(), rules, DuckDBEngine(), as_of=TODAY, now=NOW, work_dir=tmp_path)
    with store.engine.connect() as conn:  # the queue narrowed to the rule, as the back office
        found = warning_queue.list_warnings(conn, rule_id="penalty_rate_anomaly")
        assert warning_queue.counts(conn)["penalty_rate_anomaly"] == len(found)
    assert {w.subject_id for w in found} == set(cells[0][:5])  # only the penalised of C18 × 110105
    first = min(found, key=lambda w: w.subject_id)
    assert "C18 × 110105（6 户中 5 户受处罚）" in first.explanation
    assert "83.3%" in first.explanation  # 5 of 6 …
    assert "同行业其他地区为 14.3%" in first.explanation  # … against (1 + 1) / (12 + 2)
    (item,) = first.evidence["items"]
    assert item["record_id"] is not None and item["baseline"] == pytest.approx(100 * 2 / 14)


def test_a_stricter_threshold_silences_it(
    store: Store, cells: list[list[int]], tmp_path: Path
) -> None:
    text = Path(load_rules.__code__.co_filename).with_name("warning_rules.yaml").read_text("utf-8")
    strict = tmp_path / "strict.yaml"
    strict.write_text(text.replace("min_z: 3.0", "min_z: 5.0"), "utf-8")  # z is 4.8 here
    rules = load_rules(catalog(), strict)
    summary = run(store.engine, catalog(), rules, DuckDBEngine(), as_of=TODAY, now=NOW,
                  work_dir=tmp_path / "run")  # fmt: skip
    assert summary.found["penalty_rate_anomaly"] == 0
