"""The 政务信息资源目录: metadata validation, browse and search, the xlsx export, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from gongxin.catalog.registry import InvalidSpec, load_catalog
from gongxin.catalog.resources import (
    ELEMENTS,
    ITEMS_SHEET,
    RESOURCES_SHEET,
    UnknownResource,
    entries,
    get_entry,
)
from gongxin.errors import InvalidInput
from tests.support.cli import Cli

SPECS = Path(__file__).resolve().parents[2] / "src" / "gongxin" / "catalog" / "specs"
OPEN = {"registration", "licence", "penalty", "red_list", "abnormal_list", "tax_a"}


def spec_data(code: str) -> dict[str, object]:
    data = yaml.safe_load((SPECS / f"{code}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def override(tmp_path: Path, data: dict[str, object]) -> Path:
    """A deployment folder holding one replacement spec."""
    folder = tmp_path / "specs"
    folder.mkdir(exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (folder / f"{data['code']}.yaml").write_text(text, encoding="utf-8")
    return folder


def refused(tmp_path: Path, data: dict[str, object]) -> str:
    with pytest.raises(InvalidSpec) as caught:
        load_catalog(override(tmp_path, data))
    return caught.value.zh


# -- the packaged metadata -----------------------------------------------------------------


def test_every_packaged_dataset_is_catalogued() -> None:
    catalog = load_catalog()
    codes = set()
    for spec in catalog:
        r = spec.resource
        assert r is not None, f"{spec.code} has no resource block"
        assert r.code.startswith(r.classification.code + "/") and r.provider.name
        assert r.share_methods and r.secrecy == "非涉密"
        assert (spec.open and r.open_conditions) or not spec.open
        codes.add(r.code)
    assert len(codes) == len(catalog.codes())  # resource codes are unique
    assert {s.code for s in catalog if s.open} >= OPEN
    conditional = [s for s in catalog if s.share_type == "有条件"]
    assert conditional and all(s.resource and s.resource.share_basis for s in conditional)
    debtor = catalog.get("dishonest_debtor")
    assert debtor.share_type == "有条件" and debtor.resource is not None
    assert "个人信息保护法" in (debtor.resource.share_basis or "")


def test_show_prints_the_resource_metadata(cli: Cli) -> None:
    out = cli.ok("catalog", "show", "dishonest_debtor").stdout
    for text in ("信息资源代码", "104006/000002", "信息资源提供方", "市中级人民法院", "共享依据"):
        assert text in out
    assert "个人信息保护法" in out


# -- validation: each error names the dataset, the field and the value ---------------------


def test_conditional_share_without_basis_is_refused(tmp_path: Path) -> None:
    data = spec_data("dishonest_debtor")
    del data["resource"]["share_basis"]  # type: ignore[attr-defined]
    message = refused(tmp_path, data)
    assert "dishonest_debtor" in message and "share_basis" in message and "有条件" in message


def test_not_shared_without_basis_is_refused(tmp_path: Path) -> None:
    data = spec_data("penalty")
    data["share_type"] = "不予"
    message = refused(tmp_path, data)
    assert "penalty" in message and "share_basis" in message and "不予" in message


def test_open_without_open_conditions_is_refused(tmp_path: Path) -> None:
    data = spec_data("licence")
    del data["resource"]["open_conditions"]  # type: ignore[attr-defined]
    message = refused(tmp_path, data)
    assert "licence" in message and "open_conditions" in message


def test_unknown_related_resource_is_refused(tmp_path: Path) -> None:
    data = spec_data("penalty")
    data["resource"]["related"] = ["104001/000001", "199999/000009"]  # type: ignore[index]
    message = refused(tmp_path, data)
    assert "penalty" in message and "related" in message and "199999/000009" in message


def test_bad_update_cycle_is_refused(tmp_path: Path) -> None:
    data = spec_data("tax_a")
    data["update_cycle"] = "每两年"
    message = refused(tmp_path, data)
    assert "tax_a" in message and "update_cycle" in message and "每两年" in message


def test_resource_code_must_fit_its_classification(tmp_path: Path) -> None:
    data = spec_data("red_list")
    data["resource"]["code"] = "104009/000001"  # type: ignore[index]
    message = refused(tmp_path, data)
    assert "red_list" in message and "resource.code" in message and "104009/000001" in message


def test_duplicate_resource_code_is_refused(tmp_path: Path) -> None:
    data = spec_data("tax_violation")
    data["resource"]["code"] = "104006/000001"  # serious_dishonest_list's  # type: ignore[index]
    message = refused(tmp_path, data)
    assert "tax_violation" in message and "104006/000001" in message


# -- browse and search ---------------------------------------------------------------------


def test_search_by_chinese_substring_code_and_data_item() -> None:
    catalog = load_catalog()
    assert [e.dataset for e in entries(catalog, q="处罚")][:1] == ["penalty"]
    assert {e.dataset for e in entries(catalog, q="失信被执行")} == {"dishonest_debtor"}
    # a data item's name that only the tax violation list has
    assert {e.dataset for e in entries(catalog, q="财务负责人")} == {"tax_violation"}
    assert [e.dataset for e in entries(catalog, q="10400302/000001")] == ["penalty"]
    assert [e.dataset for e in entries(catalog, q="ＣＦ_ＷＳＨ")] == ["penalty"]  # full-width
    assert entries(catalog, q="没有这样的资源") == []


def test_filters() -> None:
    catalog = load_catalog()
    severe = {e.dataset for e in entries(catalog, classification="104006")}
    assert severe == {
        "serious_dishonest_list", "dishonest_debtor", "tax_violation",
        "gov_procurement_violation",
    }  # fmt: skip
    assert {e.dataset for e in entries(catalog, classification="严重失信")} == severe
    assert [e.dataset for e in entries(catalog, share_type="有条件")] == ["dishonest_debtor"]
    assert {e.dataset for e in entries(catalog, open=True)} >= OPEN
    assert not {e.dataset for e in entries(catalog, open=False)} & OPEN
    taxes = {e.dataset for e in entries(catalog, provider="市税务局")}
    assert taxes == {"tax_a", "tax_violation"}
    assert [e.dataset for e in entries(catalog, provider="市税务局", open=True)] == ["tax_a"]
    with pytest.raises(InvalidInput, match="共享类型"):
        entries(catalog, share_type="随便")


def test_unknown_resource_names_close_matches() -> None:
    with pytest.raises(UnknownResource) as caught:
        get_entry(load_catalog(), "penalti")
    assert "penalti" in caught.value.zh and "penalty" in caught.value.details["close_matches"]
    assert get_entry(load_catalog(), "10400302/000001").dataset == "penalty"


# -- export --------------------------------------------------------------------------------


def test_export_is_a_readable_workbook_with_chinese_headers(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "目录.xlsx"
    cli.ok("catalog", "export", "--out", str(out))
    book = load_workbook(out, read_only=True)
    rows = list(book[RESOURCES_SHEET].iter_rows(values_only=True))
    headers = rows[0]
    assert list(headers) == [label for label, _ in ELEMENTS]
    wanted = ("信息资源分类", "信息资源代码", "信息资源提供方", "共享类型", "共享依据",
              "是否向社会开放", "开放条件", "更新周期", "发布日期", "关联资源代码")  # fmt: skip
    assert set(wanted) <= set(headers)
    assert len(rows) == 1 + len(load_catalog().codes())
    debtor = dict(zip(headers, next(r for r in rows if "失信被执行人" in r), strict=True))
    assert debtor["信息资源代码"] == "104006/000002" and debtor["共享类型"] == "有条件"
    assert debtor["是否向社会开放"] == "否" and "个人信息保护法" in str(debtor["共享依据"])
    assert "被执行人姓名/名称（字符）" in str(debtor["信息项信息"])
    items = list(book[ITEMS_SHEET].iter_rows(values_only=True))
    assert items[0][:4] == ("信息资源代码", "信息资源名称", "序号", "信息项名称")
    penalty_items = [r for r in items if r[0] == "10400302/000001"]
    assert len(penalty_items) == len(load_catalog().get("penalty").fields)


def test_cli_list_filters_and_searches(cli: Cli) -> None:
    out = cli.ok("catalog", "list", "--share-type", "有条件").stdout
    assert "dishonest_debtor" in out and "penalty" not in out and "1 个信息资源" in out
    out = cli.ok("catalog", "list", "-q", "纳税").stdout
    assert "tax_a" in out and "tax_violation" in out and "registration" not in out
    bad = cli("catalog", "list", "--share-type", "随便")
    assert bad.exit_code == 2 and "共享类型" in bad.stderr
