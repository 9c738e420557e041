"""Data quality per dataset, computed from a small real ingest on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gongxin.catalog.quality import ALLOWED_GAP, by_department, quality, quality_all
from gongxin.identity import authorities, departments
from gongxin.ids import uscc
from tests.intake.helpers import (
    AS_OF,
    PENALTY_COLUMNS,
    PROVIDER,
    TEST_AUTHORITIES,
    Store,
    catalog,
    make_org_code,
    penalty_row,
)

OTHER = "市生态环境局"
EARLIER = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 2 November, 10:00 in Beijing
MONDAY = date(2026, 11, 23)  # AS_OF is Sunday 22 November in Beijing


def warned_uscc(n: int) -> str:
    """A valid USCC whose embedded organisation code fails GB 11714: stored with a warning."""
    org = make_org_code(n)
    body = "91110108" + org[:-1] + ("1" if org[-1] != "1" else "2")
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def filled(store: Store) -> Store:
    """Two departments' penalties: 4 valid rows, 1 rejected, 1 warned, 备注 filled once."""
    with store.engine.begin() as conn:
        departments.add(conn, OTHER, kind="provider", code=None, now=AS_OF)
        authorities.add(conn, OTHER, TEST_AUTHORITIES, now=AS_OF)  # files for them too
    rows = [
        penalty_row(1, BZ="现场检查发现"),
        penalty_row(2),
        penalty_row(3, CF_XDR_SHXYM=warned_uscc(3)),
        penalty_row(4, CF_XDR_SHXYM="911101085513850821"),  # wrong check digit: rejected
    ]
    summary = store.ingest(store.penalties("samr.csv", rows, columns=PENALTY_COLUMNS))
    assert (summary.accepted, summary.rejected, summary.warnings) == (3, 1, 1)
    other = store.ingest(
        store.penalties("env.csv", [penalty_row(5)]), provider=OTHER, as_of=EARLIER
    )
    assert other.accepted == 1
    return store


def test_figures_of_a_dataset(filled: Store) -> None:
    with filled.engine.connect() as conn:
        q = quality(conn, catalog(), "penalty", as_of=MONDAY)
    assert (q.submissions, q.rows, q.valid_rows, q.rejected, q.warnings) == (2, 5, 4, 1, 1)
    assert q.validity == pytest.approx(0.8)
    assert (q.records, q.sampled) == (4, 4)
    fills = {f.code: f for f in q.fields}
    assert fills["BZ"].filled == 1 and fills["BZ"].rate == pytest.approx(0.25)
    assert fills["CF_XDR_MC"].rate == 1.0 and fills["CF_XDR_MC"].required
    assert fills["CF_XDR_ZJHM"].filled == 0  # no natural persons: the ID number never filled
    assert q.completeness is not None and 0 < q.completeness < 1
    # 实时: one working day allowed; Sunday's delivery is on time on Monday
    assert q.last_submission == date(2026, 11, 22)
    assert (q.days_since, q.overdue, q.status) == (1, False, "正常")
    assert q.to_dict()["status"] == "正常" and q.to_dict()["last_submission"] == "2026-11-22"


def test_overdue_and_never_submitted(filled: Store) -> None:
    with filled.engine.connect() as conn:
        late = quality(conn, catalog(), "penalty", as_of=date(2026, 11, 25))
        every = {q.dataset: q for q in quality_all(conn, catalog(), as_of=MONDAY)}
    assert (late.days_since, late.overdue, late.status) == (3, True, "逾期")
    assert every["tax_a"].update_cycle == "每年"
    assert (every["tax_a"].last_submission, every["tax_a"].overdue) == (None, True)
    assert every["tax_a"].status == "未报送" and every["tax_a"].validity is None
    assert every["penalty"].rows == 5


def test_as_of_ignores_later_submissions(filled: Store) -> None:
    with filled.engine.connect() as conn:
        q = quality(conn, catalog(), "penalty", as_of=date(2026, 11, 10))
    # only the 2 November delivery existed; 6 working days had passed since
    assert (q.submissions, q.rows, q.records) == (1, 1, 1)
    assert q.last_submission == date(2026, 11, 2) and q.overdue is True


def test_per_department_and_sample(filled: Store) -> None:
    with filled.engine.connect() as conn:
        parts = by_department(conn, catalog(), "penalty", as_of=MONDAY)
        small = quality(conn, catalog(), "penalty", as_of=MONDAY, sample=2)
        window = quality(conn, catalog(), "penalty", as_of=MONDAY, since=date(2026, 11, 20))
    assert [q.department for q in parts] == sorted([PROVIDER, OTHER])
    samr = next(q for q in parts if q.department == PROVIDER)
    env = next(q for q in parts if q.department == OTHER)
    assert (samr.rows, samr.rejected, samr.records) == (4, 1, 3)
    assert (env.rows, env.rejected, env.records, env.last_submission) == (
        1, 0, 1, date(2026, 11, 2),
    )  # fmt: skip
    assert env.overdue is True  # its own last delivery is three weeks old
    assert (small.records, small.sampled) == (4, 2)
    assert window.submissions == 1 and window.rows == 4


def test_every_update_cycle_has_an_allowance() -> None:
    cycles = {spec.update_cycle for spec in catalog()}
    assert cycles <= set(ALLOWED_GAP)
    assert ALLOWED_GAP["其他"] is None
    assert ALLOWED_GAP["每周"] is not None and ALLOWED_GAP["每周"].days == 7
