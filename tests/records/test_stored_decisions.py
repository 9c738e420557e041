"""The stored decision equals the gate's live one: for random records of every kind of window,
random regimes (windows, natural persons published or not), scopes and days, the rows the SQL
predicates select are exactly the records the gate shows — on SQLite and PostgreSQL. Intake
stores the decision with every version, and ``gongxin visibility recompute`` applies a change
of rules (refusing a malformed regime file before writing anything)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongxin.audit import log as audit
from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog, load_catalog
from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.models import departments, records
from gongxin.errors import InvalidInput
from gongxin.records import decisions, gate, recompute, regimes
from gongxin.records.gate import Audience
from tests.intake.helpers import PENALTY_COLUMNS, PROVIDER, Store, penalty_row, write_penalties
from tests.records.test_fast_gate import records as random_records
from tests.support.cli import Cli

CATALOG = load_catalog()
NOW = datetime(2026, 11, 22, 2, tzinfo=UTC)
KINDS = ["penalty", "licence", "abnormal_list", "red_list", "commitment"]
_serial = itertools.count(1)
# a fine of an environment bureau (not market regulation): the national regime's 一般 window
ENVIRONMENT = {
    "CF_JDRQ": "2025-08-01",
    "CF_CFLB": "罚款",
    "CF_YZCD": "一般",
    "CF_CFJG": "市生态环境局",
}


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    made = make_engine(db_url)
    migrate.upgrade(made)
    try:
        yield made
    finally:
        made.dispose()
        regimes.configure(None)


def regime_folder(folder: Path, *, publish_persons: bool, general: int, serious: int) -> Path:
    """A deployment's regimes: GB2025/ORDER36 with other windows, persons published or not."""
    folder.mkdir(parents=True, exist_ok=True)
    packaged, selection = regimes.packaged()
    for key in ("GB2025", "ORDER36"):
        data = packaged[key].model_dump(mode="json", exclude_none=True)
        data["windows"]["一般"]["max_months"] = general
        data["windows"]["严重"]["max_months"] = serious
        (folder / f"{key}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    chosen = selection.model_dump(mode="json") | {"publish_natural_persons": publish_persons}
    (folder / "selection.yaml").write_text(yaml.safe_dump(chosen, allow_unicode=True), "utf-8")
    return folder


def _owner(conn: sa.Connection) -> int:
    found = conn.execute(sa.select(departments.c.id).limit(1)).scalar()
    if found is not None:
        return int(found)
    made = departments.insert().values(name="市生态环境局", kind="provider", created_at=NOW)
    return int(conn.execute(made.returning(departments.c.id)).scalar_one())


def insert(conn: sa.Connection, spec: DatasetSpec, rows: list[dict[str, Any]]) -> list[int]:
    ids = []
    owner = _owner(conn)
    for data in rows:
        n = next(_serial)
        ids.append(
            conn.execute(
                records.insert()
                .values(
                    dataset=spec.code, dedupe_key=f"k{n}", content_hash="0" * 32, version=1,
                    submission_id="s", row_no=n, data=data, created_at=NOW, updated_at=NOW,
                    department_id=owner, **decisions.decision_columns(spec, data),
                )
                .returning(records.c.id)
            ).scalar_one()
        )  # fmt: skip
    return ids


def selected(conn: sa.Connection, where: sa.ColumnElement[bool]) -> set[int]:
    return set(conn.execute(sa.select(records.c.id).where(where)).scalars())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(KINDS),
    scope=st.sampled_from(["社会公开", "政务共享", "授权查询"]),
    seed=st.integers(0, 10_000),
    publish_persons=st.booleans(),
    general=st.integers(1, 24),
    serious=st.integers(1, 60),
    days=st.lists(st.dates(date(2014, 1, 1), date(2045, 12, 31)), min_size=1, max_size=4),
)
def test_the_stored_decision_is_the_gates_decision(
    engine: sa.Engine,
    tmp_path_factory: pytest.TempPathFactory,
    kind: str,
    scope: str,
    seed: int,
    publish_persons: bool,
    general: int,
    serious: int,
    days: list[date],
) -> None:
    folder = tmp_path_factory.mktemp("regimes")
    regimes.configure(
        regime_folder(folder, publish_persons=publish_persons, general=general, serious=serious)
    )
    spec = CATALOG.get(kind).model_copy(update={"publicity_scope": scope})
    rows = random_records(spec, 30, seed)
    # workflow decisions (records.decisions.set_status): a repair on a random day, a pending
    # objection, a withdrawal after an objection
    marks = [None, None, "objection", "repaired", "withdrawn"]
    for n, row in enumerate(rows):
        mark = marks[(seed + n) % len(marks)]
        if mark is not None:
            row[gate.STATUS_KEY] = mark
            row[gate.STATUS_ON_KEY] = days[n % len(days)].isoformat()
    with engine.begin() as conn:
        conn.execute(records.delete())
        ids = insert(conn, spec, rows)
        by_id = dict(zip(ids, rows, strict=True))
        for day in [*days, date(2026, 11, 22)]:
            for audience in Audience:
                expected = {
                    i for i, d in by_id.items() if gate.decide(spec, d, audience, day).visible
                }
                assert selected(conn, decisions.visible_now(audience, day)) == expected, (
                    audience,
                    day,
                )
            # what a public page sends is the stored masked text: masking applied live
            shown = dict(
                conn.execute(
                    sa.select(records.c.id, records.c.public_data).where(decisions.public_now(day))
                ).all()
            )
            assert {i: orjson.loads(text) for i, text in shown.items()} == {
                i: gate.view(spec, by_id[i], Audience.PUBLIC, day) for i in shown
            }, day
            in_force = {i for i, d in by_id.items() if gate.in_force(spec, d, day).visible}
            assert selected(conn, decisions.in_force_now(day)) == in_force, day


COLUMNS = [*PENALTY_COLUMNS, "CF_ZT", "CF_YZCD"]


def ingest_penalties(store: Store, name: str, rows: list[dict[str, str]]) -> None:
    store.ingest(store.penalties(name, rows, columns=COLUMNS))


def stored(store: Store, number: str) -> dict[str, Any]:
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(records).where(records.c.data["CF_WSH"].as_string() == number)
        ).one()
    return dict(row._mapping)


def test_intake_stores_the_decision_with_every_version(store: Store) -> None:
    spec = CATALOG.get("penalty")
    row = penalty_row(1, CF_JDRQ="2026-11-02", CF_CFLB="罚款")
    ingest_penalties(store, "p.csv", [row])
    first = stored(store, row["CF_WSH"])
    assert (first["is_public"], first["is_shared"], first["status"]) == (True, True, "in_force")
    assert first["pub_from"] == date(2026, 11, 2)
    assert {k: first[k] for k in decisions.COLUMNS} == decisions.decision_columns(
        spec, first["data"]
    )
    assert orjson.loads(first["public_data"]) == gate.masked(spec, first["data"], Audience.PUBLIC)
    ingest_penalties(store, "revoked.csv", [{**row, "CF_ZT": "1"}])  # 撤销: a correction
    again = stored(store, row["CF_WSH"])
    assert again["version"] == 2
    assert (again["is_public"], again["is_shared"], again["status"]) == (
        False,
        False,
        "withdrawn",
    )
    assert again["public_data"] is None  # the public never reads a withdrawn version


def test_the_public_view_is_stored_masked_and_recompute_restores_it(
    store: Store,
) -> None:
    spec = CATALOG.get("penalty")
    row = penalty_row(1, CF_JDRQ="2026-11-02", CF_CFLB="罚款")
    ingest_penalties(store, "p.csv", [row])
    first = stored(store, row["CF_WSH"])
    live = gate.masked(spec, first["data"], Audience.PUBLIC)
    assert orjson.loads(first["public_data"]) == live
    # a stale stored view (rules changed since it was written) is rewritten by the recompute
    with store.engine.begin() as conn:
        conn.execute(records.update().values(public_data='{"stale": true}'))
    done = recompute.recompute(store.engine, _catalog(), regimes_dir=None, now=NOW)
    assert (done.changed, done.kinds["public_data"]) == (1, 1)
    assert orjson.loads(stored(store, row["CF_WSH"])["public_data"]) == live


def _catalog() -> Catalog:
    return CATALOG


def test_recompute_applies_a_new_regime_and_reports_before_and_after(
    store: Store, tmp_path: Path
) -> None:
    rows = [penalty_row(n, **ENVIRONMENT) for n in (1, 2)]
    ingest_penalties(store, "p.csv", rows)
    # packaged GB2025: 一般 for 12 months, so public until 2026-07-31; a deployment makes it 24
    assert stored(store, rows[0]["CF_WSH"])["pub_until"] == date(2026, 7, 31)
    folder = regime_folder(tmp_path / "regimes", publish_persons=False, general=24, serious=36)
    dry = recompute.recompute(store.engine, _catalog(), regimes_dir=folder, now=NOW, dry_run=True)
    assert (dry.changed, dry.kinds["window"]) == (2, 2)
    assert stored(store, rows[0]["CF_WSH"])["pub_until"] == date(2026, 7, 31)  # nothing written
    done = recompute.recompute(store.engine, _catalog(), regimes_dir=folder, now=NOW, size=1)
    assert done.changed == 2 and done.looked == 2 and done.before == done.after
    assert stored(store, rows[0]["CF_WSH"])["pub_until"] == date(2027, 7, 31)
    assert recompute.recompute(store.engine, _catalog(), regimes_dir=folder, now=NOW).changed == 0
    with store.engine.connect() as conn:
        runs = audit.entries(conn, action="visibility.recompute", newest_first=True, limit=5)
    assert [r.detail["changed"] for r in runs] == [0, 2]  # the dry run is not audited


def test_a_malformed_regime_file_is_refused_before_anything_is_written(
    store: Store, tmp_path: Path
) -> None:
    ingest_penalties(store, "p.csv", [penalty_row(1, **ENVIRONMENT)])
    folder = regime_folder(tmp_path / "regimes", publish_persons=True, general=24, serious=36)
    bad = yaml.safe_load((folder / "GB2025.yaml").read_text("utf-8"))
    bad["windows"]["一般"]["max_months"] = "twelve"
    (folder / "GB2025.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), "utf-8")
    with pytest.raises(InvalidInput) as caught:
        recompute.recompute(store.engine, _catalog(), regimes_dir=folder, now=NOW)
    assert caught.value.details["file"].endswith("GB2025.yaml")
    assert caught.value.details["key"] == "windows.一般.max_months"
    assert "integer" in caught.value.details["rule"]
    assert "GB2025.yaml" in caught.value.zh and "windows.一般.max_months" in caught.value.zh
    row = stored(store, penalty_row(1)["CF_WSH"])
    assert row["pub_until"] == date(2026, 7, 31)  # the packaged rule still stands


def test_cli_recompute_reports_a_dry_run_then_applies_and_refuses_a_bad_file(ready: Cli) -> None:
    path = ready.folder / "p.csv"
    write_penalties(path, [penalty_row(n, **ENVIRONMENT) for n in (1, 2, 3)], columns=COLUMNS)
    ready.ok("ingest", str(path), "--dataset", "penalty", "--provider", PROVIDER)
    folder = regime_folder(ready.folder / "regimes", publish_persons=False, general=24, serious=36)
    until = sa.select(sa.func.max(records.c.pub_until))
    dry = ready.ok("visibility", "recompute", "--dry-run", "--regimes", str(folder)).stdout
    assert "将改变 (would change): 3" in dry and "公示期变化 (window changed): 3" in dry
    assert ready.scalar(until) == date(2026, 7, 31)
    done = ready.ok("visibility", "recompute", "--regimes", str(folder), "--batch", "2").stdout
    assert "已改变 (changed): 3" in done and "最后记录号 (last id): 3" in done
    assert ready.scalar(until) == date(2027, 7, 31)
    (folder / "selection.yaml").write_text("prefer: [NOPE]\n", "utf-8")
    refused = ready("visibility", "recompute", "--regimes", str(folder))
    assert refused.exit_code == 2
    assert "selection.yaml" in refused.stderr and "market_regulation" in refused.stderr
    assert ready.scalar(until) == date(2027, 7, 31)
