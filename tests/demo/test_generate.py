"""The demo generator: deterministic, complete, valid where it says so, defective where it says."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog, load_catalog
from gongxin.demo import DemoFile, generate
from gongxin.demo.agencies import DEPARTMENTS
from gongxin.demo.generate import OWN_DEMO, WORKFLOW_DATASETS
from gongxin.demo.subjects import make_population
from gongxin.ids import orgcode, regno, ric, uscc
from gongxin.ids.normalise import normalise
from tests.demo.helpers import AS_OF_DATE, DEFECT_RULES, CheckedFile, check

SUBJECTS = 600


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> list[DemoFile]:
    out = tmp_path_factory.mktemp("demo")
    return generate(out, subjects=SUBJECTS, seed=11, as_of=AS_OF_DATE, catalog=catalog)


@pytest.fixture(scope="module")
def checked(files: list[DemoFile], catalog: Catalog) -> list[CheckedFile]:
    return [check(catalog, f) for f in files]


def _by_dataset(checked: list[CheckedFile], dataset: str) -> list[CheckedFile]:
    return [c for c in checked if c.file.dataset == dataset]


def _digests(files: list[DemoFile]) -> dict[str, str]:
    return {f.path.name: hashlib.sha256(f.path.read_bytes()).hexdigest() for f in files}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", subjects=150, seed=5, as_of=AS_OF_DATE)
    again = generate(tmp_path / "b", subjects=150, seed=5, as_of=AS_OF_DATE)
    other = generate(tmp_path / "c", subjects=150, seed=6, as_of=AS_OF_DATE)
    assert _digests(first) == _digests(again)
    assert any(f.path.suffix == ".xlsx" for f in first)  # pinned timestamps included
    differs = _digests(first).items() ^ _digests(other).items()
    # every file differs (the weekly batches of penalties and licences may differ in number)
    assert {name for name, _ in differs} >= {f.path.name for f in first}


def test_every_dataset_in_the_catalog_gets_a_file(
    files: list[DemoFile], catalog: Catalog, checked: list[CheckedFile]
) -> None:
    # but the datasets only a workflow writes, or whose rows another demo module writes as
    # connected data (trace chains)
    assert {f.dataset for f in files} == set(catalog.codes()) - WORKFLOW_DATASETS - OWN_DEMO
    assert files[0].dataset == "registration"
    assert all(f.path.is_file() and f.rows > 0 for f in files)
    for c in checked:  # each file maps fully onto its spec's current layout
        spec = catalog.get(c.file.dataset)
        assert c.headers == [f.name for f in spec.fields]
        assert len(c.rows) == c.file.rows
    names = {d.name for d in DEPARTMENTS}
    assert {f.provider for f in files} <= names


def test_files_come_in_the_formats_departments_use(files: list[DemoFile]) -> None:
    by_name = {f.path.name: f.path.read_bytes() for f in files}
    registration = next(f for f in files if f.dataset == "registration").path.read_bytes()
    assert not registration.startswith(b"\xef\xbb\xbf")
    registration.decode("utf-8")
    penalty = next(f for f in files if f.dataset == "penalty").path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        penalty.decode("utf-8")
    assert "行政处罚决定书文号" in penalty.decode("gbk")
    licences = [f for f in files if f.dataset == "licence"]
    assert licences and all(f.path.read_bytes().startswith(b"PK\x03\x04") for f in licences)
    jsonl = [f for f in files if f.path.suffix == ".jsonl"]
    assert len(jsonl) == 1
    records = [json.loads(line) for line in jsonl[0].path.read_text("utf-8").splitlines()]
    assert len(records) == jsonl[0].rows and len({tuple(r) for r in records}) == 1
    bom = [n for n, data in by_name.items() if data.startswith(b"\xef\xbb\xbf")]
    assert len(bom) >= 5


def test_valid_rows_carry_valid_codes(checked: list[CheckedFile], catalog: Catalog) -> None:
    """Every USCC of an accepted row is valid with a valid embedded organisation code; the
    only invalid codes are the declared wrong check characters."""
    seen = 0
    for c in checked:
        spec = catalog.get(c.file.dataset)
        code_fields = [f.code for f in spec.fields if f.type in ("uscc", "subject_code")]
        for data in c.accepted():
            for code in code_fields:
                value = data.get(code)
                if value is None or len(value) == 15:
                    if value is not None:
                        assert regno.is_valid(value)
                    continue
                assert uscc.is_valid(value, strict=True), (c.file.path.name, value)
                assert orgcode.is_valid(value[8:17])
                seen += 1
        invalid = [
            v
            for cells, _ in c.rows
            for f in spec.fields
            if f.type in ("uscc", "subject_code")
            for v in [cells[c.headers.index(f.name)]]
            if v and len(normalise(str(v))) == 18 and not uscc.is_valid(str(v))
        ]
        assert len(invalid) <= c.file.defects
    assert seen > 1000


def test_population_codes_are_valid() -> None:
    pop = make_population(3, 400, AS_OF_DATE)
    codes = [s.uscc for s in pop.registered + pop.outsiders if s.uscc]
    assert len(codes) == len(set(codes))
    assert all(uscc.is_valid(c, strict=True) and orgcode.is_valid(c[8:17]) for c in codes)
    prefixes = {c[:2] for c in codes}
    assert {"91", "92", "93"} <= prefixes  # companies, 个体工商户, 农民专业合作社
    assert {"12", "51"} & prefixes or {"12", "52"} & prefixes  # 事业单位, 社会组织
    assert any(c[0] in "ANY" for c in codes)
    legacy = [s for s in pop.registered if s.uscc is None]
    assert legacy and all(s.reg_no and regno.is_valid(s.reg_no) for s in legacy)
    assert all(ric.is_valid(p.id_number) for p in pop.persons)
    assert all(date(1990, 1, 1) <= s.reg_date <= AS_OF_DATE for s in pop.registered)
    for d in DEPARTMENTS:
        assert uscc.is_valid(d.agency.code, strict=True)
        assert d.agency.code.startswith(("11", "12"))


def test_every_file_has_exactly_its_declared_defects(checked: list[CheckedFile]) -> None:
    for c in checked:
        assert c.rejected == c.file.defects, (c.file.path.name, c.rules)
        assert abs(c.file.defects - 0.03 * c.file.rows) <= 1


def test_defects_come_in_the_declared_share_and_every_kind(checked: list[CheckedFile]) -> None:
    rows = sum(c.file.rows for c in checked)
    defects = sum(c.file.defects for c in checked)
    assert 0.02 * rows <= defects <= 0.045 * rows
    rules = sum((c.rules for c in checked), start=type(checked[0].rules)())
    for kind, names in DEFECT_RULES.items():
        assert any(rules[n] for n in names), f"no {kind} defect"


@pytest.mark.parametrize("rate", [0.0, 0.2])
def test_defect_rate_is_honoured(tmp_path: Path, catalog: Catalog, rate: float) -> None:
    files = generate(tmp_path, subjects=200, seed=2, as_of=AS_OF_DATE, defect_rate=rate)
    results = [check(catalog, f) for f in files]
    assert all(c.rejected == c.file.defects for c in results)
    rows = sum(f.rows for f in files)
    assert sum(f.defects for f in files) == pytest.approx(rate * rows, abs=0.02 * rows)


def test_harmless_variations_are_there_and_accepted(checked: list[CheckedFile]) -> None:
    """Full-width codes and N/A in optional fields are not defects: intake accepts the rows."""
    full_width = na = 0
    for c in checked:
        for cells, verdict in c.rows:
            if verdict.data is None:
                continue
            texts = [str(x) for x in cells if x is not None]
            full_width += any(t != normalise(t) and len(normalise(t)) == 18 for t in texts)
            na += sum(1 for t in texts if t == "N/A")
    assert full_width >= 3 and na >= 10


def test_penalties_look_like_real_decisions(checked: list[CheckedFile]) -> None:
    penalties = [d for c in _by_dataset(checked, "penalty") for d in c.accepted()]
    assert len(penalties) > 100
    dates = [date.fromisoformat(d["CF_JDRQ"]) for d in penalties]
    assert all(AS_OF_DATE - timedelta(days=4 * 366) <= d <= AS_OF_DATE for d in dates)
    assert any(d < AS_OF_DATE - timedelta(days=3 * 365) for d in dates)
    assert all("处罚〔" in d["CF_WSH"] or "罚字〔" in d["CF_WSH"] for d in penalties)
    assert all(d["CF_CFJGDM"].startswith("11") for d in penalties)
    fined = [d for d in penalties if "罚款" in d["CF_CFLB"]]
    assert fined and all(float(d["CF_NR_FK"]) > 0 for d in fined)
    persons = [d for d in penalties if d["CF_XDR_LB"] == "自然人"]
    assert persons and all(ric.is_valid(d["CF_XDR_ZJHM"]) for d in persons)
    assert any(d["CF_XDR_LB"] == "个体工商户" and d["CF_XDR_SHXYM"].startswith("92")
               for d in penalties)  # fmt: skip


def test_every_list_has_entries_and_removals(checked: list[CheckedFile], catalog: Catalog) -> None:
    lists = [s for s in catalog.specs() if s.list_type]
    assert len(lists) >= 7
    for spec in lists:
        accepted = [d for c in _by_dataset(checked, spec.code) for d in c.accepted()]
        assert len(accepted) >= 5, spec.code
        removal = next(f.code for f in spec.fields if f.name == "实际移出日期")
        removed = [d for d in accepted if d.get(removal)]
        assert removed, spec.code
        assert all(d[removal] <= AS_OF_DATE.isoformat() for d in removed)


def test_records_name_subjects_outside_the_register(
    checked: list[CheckedFile], catalog: Catalog
) -> None:
    registered = {
        d["DJ_TYSHXYDM"] for c in _by_dataset(checked, "registration") for d in c.accepted()
    }
    strangers = 0
    for c in checked:
        spec = catalog.get(c.file.dataset)
        key = spec.subject_keys.uscc
        if spec.subject_role == "registration" or key is None:
            continue
        strangers += sum(1 for d in c.accepted() if d.get(key) and d[key] not in registered)
    assert strangers >= 10


def test_a_dataset_the_generator_does_not_know_still_gets_valid_rows(tmp_path: Path) -> None:
    """Specs are data: a deployment may add one; the generator fills it from the field roles."""
    field = {"required": True}
    spec = DatasetSpec.model_validate(
        {
            "code": "inspection",
            "name": "双随机抽查结果",
            "name_en": "Random inspections",
            "version": "2024",
            "effective_from": "2024-01-01",
            "category": "行政管理信息",
            "legal_basis": "《市场监督管理行政执法责任制规定》",
            "date_field": "JC_RQ",
            "subject_keys": {"uscc": "JC_DM", "name": "JC_ZTMC", "category": "JC_ZTLB"},
            "dedupe_key": ["@subject", "JC_WSH"],
            "fields": [
                {"code": "JC_ZTMC", "name": "主体名称", **field},
                {"code": "JC_ZTLB", "name": "主体类别", "type": "enum", **field,
                 "values": ["法人及非法人组织", "个体工商户"]},
                {"code": "JC_DM", "name": "统一社会信用代码", "type": "uscc", **field},
                {"code": "JC_WSH", "name": "抽查文书编号", **field},
                {"code": "JC_RQ", "name": "抽查日期", "type": "date", "not_after_today": True,
                 **field},
                {"code": "JC_JG", "name": "抽查结果", "type": "enum", **field,
                 "values": ["未发现问题", "发现问题已责令改正"]},
                {"code": "JC_JGMC", "name": "检查机关", **field},
                {"code": "JC_JGDM", "name": "检查机关统一社会信用代码", "type": "uscc", **field},
                {"code": "JC_SL", "name": "检查项目数", "type": "integer", **field},
                {"code": "BZ", "name": "备注"},
            ],
        }
    )  # fmt: skip
    catalog = Catalog([*load_catalog().specs(), spec])
    files = generate(tmp_path, subjects=300, seed=1, as_of=AS_OF_DATE, catalog=catalog)
    (inspection,) = [f for f in files if f.dataset == "inspection"]
    result = check(catalog, inspection)
    assert result.rejected == inspection.defects and inspection.rows >= 6
    data = list(result.accepted())
    assert all(uscc.is_valid(d["JC_DM"], strict=True) for d in data)
    assert len({d["JC_WSH"] for d in data}) == len(data)
