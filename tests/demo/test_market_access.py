"""The demo's trust marks and credit agency: marks that verify (one revoked), an agency whose
statement shows served and refused queries; loaded once."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.demo import generate, load
from gongxin.demo import market_access as demo_market
from gongxin.market import agencies, agency_statements, trust_marks
from gongxin.market.trust_mark_keys import signing_key
from gongxin.settings import Settings
from tests.demo.helpers import AS_OF, AS_OF_DATE


def test_demo_marks_and_agency(engine: sa.Engine, tmp_path: Path) -> None:
    catalog = load_catalog()
    files = generate(tmp_path / "demo", subjects=60, seed=3, as_of=AS_OF_DATE, catalog=catalog)
    load(engine, catalog, files, as_of=AS_OF)
    settings = Settings(database_url=str(engine.url), var_dir=tmp_path / "var")
    made = demo_market.run(engine, catalog, settings, now=AS_OF, seed=3)
    assert demo_market.run(engine, catalog, settings, now=AS_OF, seed=3).agency is None  # once
    assert len(made.marks) == 4 and made.revoked == made.marks[-1]
    with engine.begin() as conn:
        key = signing_key(conn, "ed25519", None, now=AS_OF)
        states = [
            trust_marks.verify(
                conn, catalog, s, trust_marks.get(conn, s).signature, key=key,
                rule=trust_marks.rules(), now=AS_OF,
            ).state
            for s in made.marks
        ]  # fmt: skip
        assert states == ["valid", "valid", "valid", "revoked"]
        agency = agencies.by_name(conn, demo_market.AGENCY)
        found = agency_statements.statement(conn, agency, AS_OF_DATE.strftime("%Y-%m"))
    assert found.total == made.queries == 5
    assert found.outcomes == {"served": 4, "refused": 1}
