"""The monitoring figures against a cohort worked out by hand (tests/monitoring/conftest.py),
on SQLite and PostgreSQL; and the department scorecards add up to the store's own counts."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db.models import submissions
from gongxin.db.monitoring_tables import (
    monitoring_cohorts,
    monitoring_flow,
    monitoring_runs,
    monitoring_scorecards,
    monitoring_survival,
)
from gongxin.monitoring import rules, service
from gongxin.records.timeliness import timeliness
from tests.demo.helpers import AS_OF, AS_OF_DATE
from tests.monitoring.conftest import HAND_AS_OF, NOW


def _survival(conn: sa.Connection, dimension: str) -> dict[tuple[str, int], tuple[int, int]]:
    t = monitoring_survival
    return {
        (r.key, r.horizon): (r.survived, r.at_risk)
        for r in conn.execute(sa.select(t).where(t.c.dimension == dimension))
    }


def test_survival_at_1_3_and_5_years_matches_the_hand_computed_cohort(
    hand_store: sa.Engine,
) -> None:
    service.refresh(hand_store, load_catalog(), rules.load(), as_of=HAND_AS_OF, now=NOW)
    with hand_store.connect() as conn:
        everyone = _survival(conn, "all")
        industry = _survival(conn, "industry")
        region = _survival(conn, "region")
        labels = dict(conn.execute(
            sa.select(monitoring_survival.c.key, monitoring_survival.c.label)
            .where(monitoring_survival.c.dimension == "industry")
        ).all())  # fmt: skip
    # k=1: A B C D E H I J K at risk (G's exit day is unknown; F is too young); B and I exited
    # within a year. k=3: A B C D H I J; C exited in year 3, D on its 3rd anniversary.
    # k=5: A B C D H.
    assert everyone == {("", 1): (7, 9), ("", 3): (3, 7), ("", 5): (2, 5)}
    assert industry == {
        ("I", 1): (2, 3), ("I", 3): (2, 3), ("I", 5): (1, 2),
        ("F", 1): (3, 3), ("F", 3): (0, 1), ("F", 5): (0, 1),
        ("C", 1): (1, 1), ("C", 3): (0, 1), ("C", 5): (0, 1),
        ("L", 1): (0, 1), ("L", 3): (0, 1),
        ("", 1): (1, 1), ("", 3): (1, 1), ("", 5): (1, 1),
    }  # fmt: skip
    assert region == {
        ("110108", 1): (3, 5), ("110108", 3): (2, 4), ("110108", 5): (1, 2),
        ("110105", 1): (3, 3), ("110105", 3): (0, 2), ("110105", 5): (0, 2),
        ("310115", 1): (1, 1), ("310115", 3): (1, 1), ("310115", 5): (1, 1),
    }  # fmt: skip
    assert labels["I"] == "I 信息传输、软件和信息技术服务业" and labels[""] == "未填行业"


def test_registrations_and_exits_per_month_keep_the_exit_kinds_apart(
    hand_store: sa.Engine,
) -> None:
    service.refresh(hand_store, load_catalog(), rules.load(), as_of=HAND_AS_OF, now=NOW)
    with hand_store.connect() as conn:
        flow = {
            (r.year, r.month): (r.registered, r.deregistered, r.revoked, r.cancelled)
            for r in conn.execute(sa.select(monitoring_flow))
        }
    assert flow[(2020, 3)] == (1, 0, 0, 0)  # B founded
    assert flow[(2020, 12)] == (0, 1, 0, 0)  # B 注销
    assert flow[(2022, 8)] == (0, 0, 1, 0)  # C 吊销
    assert flow[(2024, 6)] == (0, 0, 0, 1)  # I 撤销
    assert flow[(2024, 2)] == (0, 1, 0, 0)  # D 注销
    assert flow[(2019, 6)] == (1, 0, 0, 0)  # G founded; its exit has no day, so no month
    assert sum(v[0] for v in flow.values()) == 11
    assert sum(v[1] + v[2] + v[3] for v in flow.values()) == 4


def test_small_company_cohorts_count_penalties_lists_and_exits(hand_store: sa.Engine) -> None:
    service.refresh(hand_store, load_catalog(), rules.load(), as_of=HAND_AS_OF, now=NOW)
    with hand_store.connect() as conn:
        cohorts = {
            r.year: (r.founded, r.penalised, r.listed, r.exited)
            for r in conn.execute(sa.select(monitoring_cohorts))
        }
    # small: USCC 91…, capital ≤ 100 万元, founded 2022 or later: I (2023), E (2024), F (2025);
    # K (500 万元) is not small; F's penalty was withdrawn
    assert cohorts == {2023: (1, 0, 1, 1), 2024: (1, 1, 0, 0), 2025: (1, 0, 0, 0)}


def test_department_scorecards_add_up_to_the_store(demo_store: sa.Engine) -> None:
    catalog, ruleset = load_catalog(), rules.load()
    summary = service.refresh(demo_store, catalog, ruleset, as_of=AS_OF_DATE, now=AS_OF)
    with demo_store.connect() as conn:
        cards = conn.execute(
            sa.select(monitoring_scorecards).where(monitoring_scorecards.c.run_id == summary.run_id)
        ).all()
        rows, rejected = conn.execute(
            sa.select(sa.func.sum(submissions.c.rows), sa.func.sum(submissions.c.rejected))
        ).one()
        judged = timeliness(conn, until=AS_OF_DATE)
        status = conn.execute(sa.select(monitoring_runs.c.status)).scalar_one()
    assert status == "complete" and len(cards) >= 3
    assert sum(c.rows for c in cards) == rows and sum(c.rejected for c in cards) == rejected
    assert {c.department: (c.judged, c.on_time) for c in cards if c.judged} == {
        t.department: (t.total, t.on_time) for t in judged if t.total
    }
    weights = ruleset.scorecard.weights
    for c in cards:
        assert 0 <= c.filled <= c.fields and c.sgs_clean <= c.sgs_rows and c.kept <= c.due
        parts = [(weights["timeliness"], c.on_time, c.judged),
                 (weights["completeness"], c.filled, c.fields),
                 (weights["acceptance"], c.rows - c.rejected, c.rows),
                 (weights["compliance"], c.sgs_clean, c.sgs_rows),
                 (weights["deadlines"], c.kept, c.due)]  # fmt: skip
        counted = [(w, Decimal(n) / b) for w, n, b in parts if b]
        expected = sum(w * s for w, s in counted) * 100 / sum(w for w, _ in counted)
        assert abs(Decimal(c.score) - expected) <= Decimal("0.005")
    assert any(c.rejected for c in cards)  # the demo's defects are counted against someone


def test_the_demo_has_exits_spread_over_the_years_and_falling_survival(
    demo_store: sa.Engine,
) -> None:
    service.refresh(demo_store, load_catalog(), rules.load(), as_of=AS_OF_DATE, now=AS_OF)
    with demo_store.connect() as conn:
        exits = (
            conn.execute(
                sa.select(monitoring_flow.c.year)
                .where(monitoring_flow.c.deregistered + monitoring_flow.c.revoked > 0)
                .distinct()
            )
            .scalars()
            .all()
        )
        founded = (
            conn.execute(
                sa.select(monitoring_flow.c.year).where(monitoring_flow.c.registered > 0).distinct()
            )
            .scalars()
            .all()
        )
        overall = _survival(conn, "all")
        cohorts = conn.execute(sa.select(sa.func.sum(monitoring_cohorts.c.founded))).scalar()
    assert len(founded) >= 15 and len(exits) >= 3  # 120 subjects: a few exits, years apart
    share = {k: survived / at_risk for (_, k), (survived, at_risk) in overall.items()}
    assert all(0.5 < v <= 1 for v in share.values()) and min(share.values()) < 1
    assert cohorts and cohorts > 0
