"""The demo's parallel approvals (every state, the credit gate at work) and trace chains (three
batches, a listed wholesaler), made once."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from gongxin.approval import sla, trace
from gongxin.approval.matters import load as load_matters
from gongxin.catalog.registry import load_catalog
from gongxin.db.approval_tables import approval_applications, approval_reviews
from gongxin.demo import approval as demo_approval
from gongxin.demo import generate, load
from gongxin.demo import trace as demo_trace
from tests.demo.helpers import AS_OF, AS_OF_DATE


def test_demo_approvals_and_trace_chains(engine: sa.Engine, tmp_path: Path) -> None:
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=300, seed=1, as_of=AS_OF_DATE, catalog=catalog)
    assert not any(f.dataset == "trace_record" for f in files)  # written by demo/trace.py
    load(engine, catalog, files, as_of=AS_OF)
    book = load_matters(catalog)
    made = demo_approval.run(engine, catalog, book, now=AS_OF)
    assert len(made) == len(demo_approval.PLAN) + 1  # the listed applicant, the standard way
    assert demo_approval.run(engine, catalog, book, now=AS_OF) == []  # only once
    with engine.connect() as conn:
        states = {s for (s,) in conn.execute(sa.select(approval_applications.c.state))}
        modes = dict(conn.execute(
            sa.select(approval_applications.c.mode, sa.func.count())
            .group_by(approval_applications.c.mode)).all())  # fmt: skip
        late = conn.execute(sa.select(sa.func.count()).select_from(approval_reviews)
                            .where(approval_reviews.c.overdue.is_(True))).scalar()  # fmt: skip
        figures = sla.stats(conn, book, as_of=AS_OF_DATE)
    assert states == {"approved", "refused", "in_review"}
    assert modes["promise"] == 2 and modes["tolerance"] == 1 and late == 1
    assert any(d["pending_overdue"] for d in figures["departments"])
    summary = demo_trace.run(engine, catalog, tmp_path / "demo", now=AS_OF)
    assert summary is not None and (summary.accepted, summary.rejected) == (15, 0)
    assert demo_trace.run(engine, catalog, tmp_path / "demo", now=AS_OF) is None
    with engine.connect() as conn:
        pork = trace.chain(conn, catalog, product="冷鲜猪肉", batch="ZR20261101", as_of=AS_OF_DATE)
        drug = trace.recall(conn, catalog, product="阿莫西林胶囊（0.25克×24粒）",
                            batch="YP20260310", as_of=AS_OF_DATE)  # fmt: skip
    wholesaler = next(n for n in pork["nodes"] if n["node_type"] == "批发商")
    assert wholesaler["credit"]["status"] == "listed"
    assert {h["node_type"] for h in drug["holders"]} == {"批发商", "医疗机构", "零售商"}
