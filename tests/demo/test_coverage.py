"""The demo puts subjects on every list type (some listed today, some removed), and its checks
and feedback fill the statistics."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db.models import records
from gongxin.demo import checks as demo_checks
from gongxin.demo import generate, load
from gongxin.records.gate import Audience, decide
from gongxin.sanctions import check_stats
from gongxin.sanctions.lists import applies, list_types
from tests.demo.helpers import AS_OF, AS_OF_DATE


def test_every_list_type_has_current_and_removed_entries(engine: sa.Engine, tmp_path: Path) -> None:
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=300, seed=1, as_of=AS_OF_DATE, catalog=catalog)
    load(engine, catalog, files, as_of=AS_OF)
    made = demo_checks.run(engine, catalog, now=AS_OF + timedelta(hours=2), seed=1)
    assert made == demo_checks.CHECKS
    assert demo_checks.run(engine, catalog, now=AS_OF, seed=1) == 0  # only once
    types = list_types(catalog)
    assert set(types) >= {
        "serious_dishonest_list", "abnormal_list", "dishonest_debtor", "tax_violation",
        "gov_procurement_violation", "red_list", "tax_a", "commitment_breach",
    }  # fmt: skip
    with engine.connect() as conn:
        for code, lt in types.items():
            rows = conn.execute(
                sa.select(records.c.data, records.c.updated_at).where(
                    records.c.dataset == lt.dataset, records.c.subject_id.is_not(None)
                )
            ).all()
            selected = [(d, u) for d, u in rows if lt.selects(d)]
            current = [d for d, u in selected if applies(lt, d, u, AS_OF_DATE)]
            public = [d for d in current if decide(lt.spec, d, Audience.PUBLIC, AS_OF_DATE).visible]
            assert public, f"{code}: no subject listed and public on {AS_OF_DATE}"
            if not lt.derived and "removed" in lt.fields:
                assert any(lt.value(d, "removed") for d, _ in selected), f"{code}: none removed"
        stats = check_stats.stats(conn, since=AS_OF_DATE, until=AS_OF_DATE)
    t = stats.total
    assert t.checks == demo_checks.CHECKS and t.hits > 0 and t.measures > 0
    assert t.applied > 0 and t.not_applied > 0 and t.reported < t.measures  # some still awaited
    assert len(stats.by_scene) >= 4 and len(stats.by_department) >= 3
