"""The fast gate gives exactly what the plain, record-by-record gate gave: for every dataset of
the catalog, every audience, and records generated to reach every branch (withdrawn, natural
persons, before/after windows, long-term, removed, warnings only, severities, sectors, bad
fines, valid and invalid ID numbers, missing fields)."""

from __future__ import annotations

import random
import zlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongxin.catalog.model import DatasetSpec, FieldSpec
from gongxin.catalog.registry import load_catalog
from gongxin.demo.names import person_name
from gongxin.ids import ric
from gongxin.records import gate, publicity, regimes
from gongxin.records.gate import Audience, Gate
from gongxin.records.publicity import PenaltyFacts
from tests.records import reference

CATALOG = load_catalog()
AS_OF = (date(2019, 12, 31), date(2026, 11, 22), date(2031, 2, 28))
CATEGORIES = [
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "责令停产停业",
    "吊销许可证件",
    "限制从业",
]
AUTHORITIES = ["北京市朝阳区市场监督管理局", "某县工商行政管理局", "北京市生态环境局", "", None]
SECTORS = [None, "", "安全生产", "消防", "特种设备", "食品"]
SEVERITIES = [None, "", "轻微", "一般", "严重", "特别严重"]
FINES = [None, "", "0.5", "1.000000", "20", 3, "abc", "NaN"]


def _day(rng: random.Random) -> str | None:
    pick = rng.random()
    if pick < 0.08:
        return rng.choice([None, ""])
    if pick < 0.15:
        return "2099-12-31"
    return (date(2015, 1, 1) + timedelta(days=rng.randrange(18 * 366))).isoformat()


def _ric(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    body = f"110105{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body)


def _identifier(rng: random.Random) -> object:
    return rng.choice([_ric(rng), _ric(rng)[:-1] + "0", "E12345678", "123", "", None, 42])


def _value(spec: DatasetSpec, f: FieldSpec, rng: random.Random) -> object:
    rule = spec.visibility
    if f.code == rule.status:
        return rng.choice([None, *rule.withdrawn_values, *(f.values or []), "其他"])
    if f.code == rule.categories:
        picked = rng.sample(CATEGORIES, rng.randint(0, 3))
        return picked if rng.random() < 0.9 else (picked[0] if picked else None)
    if f.code == rule.person_category:
        return rng.choice([*(f.values or []), "自然人", None])
    choices = {rule.authority: AUTHORITIES, rule.sector: SECTORS, rule.severity: SEVERITIES}
    if f.code in choices:
        return rng.choice(choices[f.code])
    if f.code == rule.fine:
        return rng.choice(FINES)
    if f.mask == "person_name":
        return rng.choice([person_name(rng), "欧阳娜娜", "张", "", None, 7])
    if f.mask == "id_number":
        return _identifier(rng)
    if f.type == "date" or f.code in (rule.start, rule.end, rule.removed):
        return _day(rng)
    if f.type == "enum" and f.values:
        return rng.sample(f.values, 2) if f.multiple else rng.choice(f.values)
    return rng.choice(["某某", "北京某某有限公司", "", None])


def records(spec: DatasetSpec, count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    fields = {f.code: f for _, layout in spec.layouts() for f in layout}
    out = []
    for _ in range(count):
        row = {c: _value(spec, f, rng) for c, f in fields.items() if rng.random() < 0.93}
        out.append(row)
    return out


def _variants(spec: DatasetSpec) -> list[DatasetSpec]:
    """The spec, and copies shared only with government and only by consent."""
    return [spec] + [
        spec.model_copy(update={"publicity_scope": s}) for s in ("政务共享", "授权查询")
    ]


@pytest.mark.parametrize("code", CATALOG.codes())
def test_the_fast_gate_agrees_with_the_plain_one_for_every_dataset_and_audience(
    code: str,
) -> None:
    for n, spec in enumerate(_variants(CATALOG.get(code))):
        rows = records(spec, 700 if n == 0 else 150, seed=zlib.crc32(code.encode()) + n)
        for audience in Audience:
            for as_of in AS_OF:
                expected = [reference.view(spec, r, audience, as_of) for r in rows]
                assert list(Gate(spec, audience, as_of).view_many(rows)) == expected
                for r in rows:
                    assert gate.decide(spec, r, audience, as_of) == reference.decide(
                        spec, r, audience, as_of
                    ), (spec.code, audience, as_of, r)
            for r in rows:
                assert gate.masked(spec, r, audience) == reference.masked(spec, r, audience)


def test_every_branch_of_the_gate_is_reached_by_the_generated_records() -> None:
    """The comparison above means something only if the records reach every outcome."""
    reasons: set[str] = set()
    for spec in CATALOG:
        for r in records(spec, 700, seed=zlib.crc32(spec.code.encode())):
            for as_of in AS_OF:
                reasons.add(reference.decide(spec, r, Audience.PUBLIC, as_of).en.split(" ")[0])
    for start in ("withdrawn", "natural", "public", "publicity", "no", "removed", "expired"):
        assert start in reasons
    assert {"valid", "under", "SAMR_45:"} <= reasons


def test_a_gate_built_once_reads_each_record_as_view_does() -> None:
    spec = CATALOG.get("penalty")
    rows = records(spec, 50, seed=7)
    one = Gate(spec, Audience.PUBLIC, AS_OF[1])
    assert [one.view(r) for r in rows] == [
        gate.view(spec, r, Audience.PUBLIC, AS_OF[1]) for r in rows
    ]
    assert list(gate.view_many(spec, rows, Audience.PUBLIC, AS_OF[1])) == [
        one.view(r) for r in rows
    ]
    assert any(one.view(r) is None for r in rows) and any(one.view(r) for r in rows)


@settings(max_examples=300, deadline=None)
@given(
    decided=st.dates(min_value=date(2010, 1, 1), max_value=date(2040, 12, 31)),
    cats=st.lists(st.sampled_from([*CATEGORIES, "限制开展生产经营活动"]), max_size=3),
    severity=st.sampled_from(SEVERITIES),
    sector=st.sampled_from(SECTORS),
    fine=st.one_of(st.none(), st.decimals(0, 50, places=2)),
    restriction=st.one_of(st.none(), st.dates(date(2010, 1, 1), date(2050, 1, 1))),
    market=st.booleans(),
    low_fine=st.one_of(st.none(), st.decimals(0, 5, places=1)),
    min_months=st.one_of(st.none(), st.integers(0, 24)),
    max_months=st.one_of(st.none(), st.integers(0, 60)),
)
def test_publicity_windows_agree_with_the_plain_reading(
    decided: date,
    cats: list[str],
    severity: str | None,
    sector: str | None,
    fine: Decimal | None,
    restriction: date | None,
    market: bool,
    low_fine: Decimal | None,
    min_months: int | None,
    max_months: int | None,
) -> None:
    facts = PenaltyFacts(decided, tuple(cats), severity, sector, fine, restriction, market)
    assert publicity.publicity(facts) == reference.publicity(facts)
    samr = regimes.load()[0]["SAMR_45"]
    assert samr.short is not None
    local = samr.model_copy(
        update={
            "short": samr.short.model_copy(update={"low_fine_max_wan": low_fine}),
            "windows": {"严重": regimes.Window(min_months=min_months, max_months=max_months)},
            "sector_minimums": regimes.load()[0]["NDRC_2023"].sector_minimums,
        }
    )
    for regime in (samr, local):
        got = publicity.window_of(facts, regime, "严重")
        assert got == reference.window_of(facts, regime, "严重")
