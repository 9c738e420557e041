"""A simulation (仿真) replays a proposed rule change through the same gate and jobs and writes
nothing: the rules in force report zero changes; a shorter publicity regime names the records
that would leave the public pages; a harsher model moves the penalised subjects' grades down; a
warning rule removed clears its warnings; a reworded measure changes the checks of the listed
subjects; a malformed proposal is refused before anything runs. Saved reports are audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from gongxin.analytics.engines import SparkEngine
from gongxin.analytics.evaluation_model import InvalidModel
from gongxin.audit import log as audit
from gongxin.db.models import records
from gongxin.errors import InvalidInput
from gongxin.settings import Settings
from gongxin.simulation import service
from gongxin.supervision.rules import InvalidRules
from tests.intake.helpers import (
    REGISTRATION,
    Store,
    catalog,
    make_uscc,
    open_store,
    penalty_row,
    write_csv,
)
from tests.sanctions.helpers import World
from tests.subjects.test_registration_details import DETAILS, detailed_row

AS_OF = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)

SHORT = """\
key: LOCAL_SHORT
title: 本地试行细则（公示一个月）
basis: 本地试行细则
effective_from: 2000-01-01
confidence: confirmed
windows:
  轻微: {max_months: 1, may_be_unpublished: true}
  一般: {max_months: 1}
  严重: {max_months: 1}
"""
SELECTION = """\
market_regulation: LOCAL_SHORT
market_regulation_authorities: [市场监督管理]
publish_natural_persons: false
prefer: [LOCAL_SHORT, ORDER36, GB2025, NDRC_2023, NDRC_2019]
default_severity: 一般
"""


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    yield from open_store(db_url, tmp_path)


def settings(store: Store) -> Settings:
    return Settings(database_url=str(store.engine.url.render_as_string(hide_password=False)))


def run(store: Store, kind: str, path: Path, **kw: object) -> dict[str, object]:
    sim = service.run(
        store.engine, catalog(), settings(store), kind, path, as_of=AS_OF, now=NOW, **kw
    )  # type: ignore[arg-type]
    return sim.to_dict()


def counts(report: dict[str, object]) -> dict[str, int]:
    return {c["change"]: c["count"] for c in report["counts"]}  # type: ignore[attr-defined,index]


def stored(store: Store) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(records.c.id, records.c.is_public, records.c.pub_from, records.c.pub_until,
                      records.c.public_data).order_by(records.c.id)
        )]  # fmt: skip


def packaged_regimes(folder: Path) -> Path:
    folder.mkdir()
    for entry in resources.files("gongxin.records").joinpath("regimes").iterdir():
        if entry.name.endswith(".yaml"):
            (folder / entry.name).write_text(entry.read_text("utf-8"), encoding="utf-8")
    return folder


@pytest.fixture
def penalties(store: Store) -> Store:
    rows = [
        penalty_row(1, CF_JDRQ="2026/10/01", CF_WSH="京海市监罚〔2026〕1号"),  # public to 10-31
        penalty_row(2, CF_JDRQ="2026/11/20", CF_WSH="京海市监罚〔2026〕2号"),  # stays to 12-20
    ]
    assert store.ingest(store.penalties("p.csv", rows)).accepted == 2
    return store


def test_the_regimes_in_force_change_nothing(penalties: Store, tmp_path: Path) -> None:
    report = run(penalties, "regimes", packaged_regimes(tmp_path / "same"))
    assert report["changed"] == 0 and report["looked"] == 2
    assert report["examples"] == []


def test_a_shorter_regime_names_what_would_leave_public_view(
    penalties: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "short"
    folder.mkdir()
    (folder / "short.yaml").write_text(SHORT, encoding="utf-8")
    (folder / "selection.yaml").write_text(SELECTION, encoding="utf-8")
    before = stored(penalties)
    report = run(penalties, "regimes", folder)
    got = counts(report)
    assert got["leave_today"] == 1 and got["appear_today"] == 0
    assert got["window"] == 2  # both windows shorten
    leaving = [e for e in report["examples"] if e["change"] == "leave_today"]  # type: ignore[attr-defined]
    assert leaving[0]["subject"] == "北京测试1商贸有限公司"
    assert leaving[0]["after"] == "2026-10-01 至 2026-10-31"
    assert stored(penalties) == before  # nothing written
    # the portal still shows both: the simulation changed no decision
    with penalties.engine.connect() as conn:
        public = conn.scalar(sa.select(sa.func.count()).where(records.c.is_public))
    assert public == 2


def test_a_malformed_regime_folder_is_refused_before_running(
    penalties: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "short.yaml").write_text(SHORT.replace("max_months: 1}", "max_months: 一}"), "utf-8")
    with pytest.raises(InvalidInput, match=r"short\.yaml"):
        run(penalties, "regimes", folder)
    with pytest.raises(InvalidInput, match="未知的仿真类型"):
        run(penalties, "rules", folder)


def registrations(store: Store, rows: list[dict[str, str]]) -> None:
    headers = REGISTRATION + DETAILS
    path = write_csv(
        store.folder / "r.csv", headers, ([r.get(h, "") for h in headers] for r in rows)
    )
    assert store.ingest(path, dataset="registration").rejected == 0


def reg(n: int, **values: str) -> dict[str, str]:
    base = {"法定代表人证件号码": "", "股东及出资信息": "", "变更记录": "", "联系电话": "",
            "电子邮箱": "", "注册地址": f"独立路{n}号"}  # fmt: skip
    return detailed_row(n, **(base | values))


def rules_file(path: Path, change: object) -> Path:
    text = resources.files("gongxin.supervision").joinpath("warning_rules.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_warning_rules_raise_and_clear(store: Store, tmp_path: Path) -> None:
    registrations(store, [
        *(reg(n, 注册地址="集中路9号") for n in range(1, 6)),  # five at one address: fires
        *(reg(n, 注册地址="近邻路8号") for n in range(6, 10)),  # four: a near miss today
    ])  # fmt: skip
    same = run(store, "warnings", rules_file(tmp_path / "same.yaml", lambda d: None))
    assert same["changed"] == 0 and same["looked"] == 5

    def lower(data: dict[str, list[dict[str, dict[str, int]]]]) -> None:
        for rule in data["rules"]:
            if rule["id"] == "address_cluster":
                rule["params"]["min_subjects"] = 4

    lowered = run(store, "warnings", rules_file(tmp_path / "lower.yaml", lower))
    assert counts(lowered) == {"raised": 4, "cleared": 0}
    raised = {e["subject"] for e in lowered["examples"]}  # type: ignore[attr-defined]
    assert raised == {f"北京测试{n}商贸有限公司" for n in range(6, 10)}

    def drop(data: dict[str, list[dict[str, str]]]) -> None:
        data["rules"] = [r for r in data["rules"] if r["id"] != "address_cluster"]

    dropped = run(store, "warnings", rules_file(tmp_path / "drop.yaml", drop))
    assert counts(dropped) == {"raised": 0, "cleared": 5}
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrules: [", encoding="utf-8")
    with pytest.raises(InvalidRules, match=r"bad\.yaml"):
        run(store, "warnings", bad)


def memoranda_file(path: Path, change: object) -> Path:
    text = resources.files("gongxin.sanctions").joinpath("data/memoranda.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["memoranda"] = [m for m in data["memoranda"] if m["id"] == "fgcj-2016-141"]
    change(data["memoranda"][0])  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_reworded_measure_changes_the_listed_subjects_checks(
    store: Store, tmp_path: Path
) -> None:
    world = World(store.engine, key="", department_id=0)
    world.entry("dishonest_debtor", make_uscc(1), name="北京失信一号有限公司", listed="2026-01-10")
    world.entry("red_list", make_uscc(2), name="北京守信二号有限公司", listed="2026-01-10")
    same = run(store, "memoranda", memoranda_file(tmp_path / "same.yaml", lambda m: None))
    assert same["changed"] == 0 and same["looked"] == 2

    def reword(memo: dict[str, list[dict[str, object]]]) -> None:
        memo["measures"][0]["text"] = "限制失信被执行人参加政府采购活动（试行：三年内）"

    report = run(store, "memoranda", memoranda_file(tmp_path / "reword.yaml", reword))
    assert counts(report) == {"added": 0, "removed": 0, "reworded": 1}  # one scene: 政府采购
    (example,) = report["examples"]  # type: ignore[misc]
    assert example["subject"] == "北京失信一号有限公司" and "政府采购" in example["what"]
    assert "三年内" in example["after"]

    def drop_last(memo: dict[str, list[dict[str, object]]]) -> None:
        memo["measures"] = memo["measures"][:1]

    fewer = run(store, "memoranda", memoranda_file(tmp_path / "fewer.yaml", drop_last))
    assert counts(fewer)["removed"] > 0 and counts(fewer)["added"] == 0
    assert {e["subject"] for e in fewer["examples"]} == {"北京失信一号有限公司"}  # type: ignore[attr-defined]
    bad = tmp_path / "bad.yaml"
    bad.write_text("memoranda: [{id: x}]", encoding="utf-8")
    with pytest.raises(InvalidInput):
        run(store, "memoranda", bad)


def test_a_saved_simulation_is_kept_whole_and_audited(penalties: Store, tmp_path: Path) -> None:
    sim = service.run(
        penalties.engine, catalog(), settings(penalties), "regimes",
        packaged_regimes(tmp_path / "same"), as_of=AS_OF, now=NOW,
    )  # fmt: skip
    with penalties.engine.begin() as conn:
        sid = service.save(conn, sim, label="现行规则（对照）", actor="centre", now=NOW)
    with penalties.engine.connect() as conn:
        got = service.get(conn, sid)
        assert (got.label, got.kind, got.changed, got.looked) == (
            "现行规则（对照）",
            "regimes",
            0,
            2,
        )
        assert got.report == sim.to_dict()
        assert [s.id for s in service.listing(conn)] == [sid]
        kept = [e for e in audit.entries(conn) if e.action == service.AUDIT_ACTION]
    assert [e.target for e in kept] == [f"simulation:{sid}"]
    assert kept[0].detail["digest"] == sim.digest


def model_file(path: Path, points: int) -> Path:
    text = (
        resources.files("gongxin.analytics").joinpath("models/four_grade.yaml").read_text("utf-8")
    )
    data = yaml.safe_load(text)
    for indicator in data["indicators"]:
        if indicator["code"] == "penalty":
            indicator["points"] = points
            indicator["cap"] = max(points, indicator["cap"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def graded(store: Store) -> Store:
    registrations(store, [reg(n) for n in range(1, 5)])
    rows = [penalty_row(n, CF_JDRQ="2026/10/01", CF_WSH=f"京海市监罚〔2026〕{n}号") for n in (1, 2)]
    assert store.ingest(store.penalties("p.csv", rows)).accepted == 2
    return store


def test_a_harsher_model_moves_the_penalised_subjects_down(graded: Store, tmp_path: Path) -> None:
    same = run(graded, "model", model_file(tmp_path / "same.yaml", 5), engine="duckdb")
    assert same["changed"] == 0 and same["looked"] == 4
    harsh = run(graded, "model", model_file(tmp_path / "harsh.yaml", 40), engine="duckdb")
    assert counts(harsh) == {"up": 0, "down": 2, "new": 0, "dropped": 0, "score": 0}
    moved = {(e["subject"], e["before"], e["after"]) for e in harsh["examples"]}  # type: ignore[attr-defined]
    assert moved == {
        ("北京测试1商贸有限公司", "B（75 分）", "D（40 分）"),
        ("北京测试2商贸有限公司", "B（75 分）", "D（40 分）"),
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        model_file(tmp_path / "x.yaml", 5)
        .read_text("utf-8")
        .replace("base_score: 80", "base_score: 高"),
        "utf-8",
    )
    with pytest.raises(InvalidModel, match=r"bad\.yaml：base_score"):
        run(graded, "model", bad)


def test_the_model_simulation_answers_the_same_on_spark(
    graded: Store, tmp_path: Path, spark: SparkEngine
) -> None:
    path = model_file(tmp_path / "harsh.yaml", 40)
    on_duckdb = run(graded, "model", path, engine="duckdb")
    on_spark = run(graded, "model", path, engine=spark)
    assert on_spark["engine"] == "spark"
    assert (on_spark["counts"], on_spark["examples"]) == (
        on_duckdb["counts"],
        on_duckdb["examples"],
    )
