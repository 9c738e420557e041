"""The packaged dataset specs: every dataset exists, loads, and matches its standard."""

from __future__ import annotations

import csv
import json
import unicodedata
from importlib import resources
from pathlib import Path

import pytest
from pydantic import ValidationError

from gongxin.catalog.model import DatasetSpec, FieldSpec
from gongxin.catalog.registry import Catalog, load_catalog

DATASETS = {
    "registration",
    "licence",
    "penalty",
    "abnormal_list",
    "serious_dishonest_list",
    "dishonest_debtor",
    "tax_violation",
    "gov_procurement_violation",
    "tax_a",
    "red_list",
    "commitment",
}
LISTS = {
    "abnormal_list",
    "serious_dishonest_list",
    "dishonest_debtor",
    "tax_violation",
    "gov_procurement_violation",
    "tax_a",
    "red_list",
}
OPEN = {"registration", "licence", "penalty", "red_list", "tax_a", "abnormal_list"}
BASE_CATEGORIES = {
    "登记注册基本信息",
    "司法裁判及执行信息",
    "行政管理信息",
    "职称和职业资格信息",
    "经营（活动）异常名录（状态）信息",
    "严重失信主体名单信息",
    "合同履行信息",
    "信用承诺及履行情况信息",
    "信用评价结果信息",
    "诚实守信相关荣誉信息",
    "主体自愿提供的信用信息",
}
UPDATE_CYCLES = {"实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "其他"}

# domain/shuanggongshi.md section 3: the current national penalty layout, in order.
PENALTY_TABLE = [
    ("行政相对人名称", "CF_XDR_MC"),
    ("行政相对人类别", "CF_XDR_LB"),
    ("行政相对人代码_1（统一社会信用代码）", "CF_XDR_SHXYM"),
    ("行政相对人代码_2（工商注册号）", "CF_XDR_GSZC"),
    ("行政相对人代码_3（组织机构代码）", "CF_XDR_ZZJG"),
    ("行政相对人代码_4（税务登记号）", "CF_XDR_SWDJ"),
    ("行政相对人代码_5（事业单位证书号）", "CF_XDR_SYDW"),
    ("行政相对人代码_6（社会组织登记证号）", "CF_XDR_SHZZ"),
    ("法定代表人", "CF_FRDB"),
    ("法定代表人证件类型", "CF_FR_ZJLX"),
    ("法定代表人证件号码", "CF_FR_ZJHM"),
    ("证件类型", "CF_XDR_ZJLX"),
    ("证件号码", "CF_XDR_ZJHM"),
    ("行政处罚决定书文号", "CF_WSH"),
    ("违法行为类型", "CF_WFXW"),
    ("违法事实", "CF_SY"),
    ("处罚依据", "CF_YJ"),
    ("处罚类别", "CF_CFLB"),
    ("处罚内容", "CF_NR"),
    ("罚款金额（万元）", "CF_NR_FK"),
    ("没收违法所得、没收非法财物的金额（万元）", "CF_NR_WFFF"),
    ("暂扣或吊销证照名称及编号", "CF_NR_ZKDX"),
    ("处罚决定日期", "CF_JDRQ"),
    ("处罚有效期", "CF_YXQ"),
    ("公示截止期", "CF_GSJZQ"),
    ("处罚机关", "CF_CFJG"),
    ("处罚机关统一社会信用代码", "CF_CFJGDM"),
    ("数据来源单位", "CF_SJLY"),
    ("数据来源单位统一社会信用代码", "CF_SJLYDM"),
    ("备注", "BZ"),
]

# domain/shuanggongshi.md section 4: the current national licence layout, in order.
LICENCE_TABLE = [
    ("行政相对人名称", "XK_XDR_MC"),
    ("行政相对人类别", "XK_XDR_LB"),
    ("行政相对人代码_1（统一社会信用代码）", "XK_XDR_SHXYM"),
    ("行政相对人代码_2（工商注册号）", "XK_XDR_GSZC"),
    ("行政相对人代码_3（组织机构代码）", "XK_XDR_ZZJG"),
    ("行政相对人代码_4（税务登记号）", "XK_XDR_SWDJ"),
    ("行政相对人代码_5（事业单位证书号）", "XK_XDR_SYDW"),
    ("行政相对人代码_6（社会组织登记证号）", "XK_XDR_SHZZ"),
    ("法定代表人", "XK_FRDB"),
    ("法定代表人证件类型", "XK_FR_ZJLX"),
    ("法定代表人证件号码", "XK_FR_ZJHM"),
    ("证件类型", "XK_XDR_ZJLX"),
    ("证件号码", "XK_XDR_ZJHM"),
    ("行政许可决定文书名称", "XK_XKWS"),
    ("行政许可决定文书号", "XK_WSH"),
    ("许可类别", "XK_XKLB"),
    ("许可证书名称", "XK_XKZS"),
    ("许可编号", "XK_XKBH"),
    ("许可内容", "XK_NR"),
    ("许可决定日期", "XK_JDRQ"),
    ("有效期自", "XK_YXQZ"),
    ("有效期至", "XK_YXQZI"),
    ("许可机关", "XK_XKJG"),
    ("许可机关统一社会信用代码", "XK_XKJGDM"),
    ("当前状态", "XK_ZT"),
    ("数据来源单位", "XK_LYDW"),
    ("数据来源单位统一社会信用代码", "XK_LYDWDM"),
    ("备注", "BZ"),
]

# The 2016 layouts as the brief of this catalog lists them (ASCII brackets, as in old files).
PENALTY_2016 = [
    "行政处罚决定书文号", "处罚名称", "处罚类别1", "处罚类别2", "处罚事由", "处罚依据",
    "行政相对人名称", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(组织机构代码)",
    "行政相对人代码_3(工商登记码)", "行政相对人代码_4(税务登记号)",
    "行政相对人代码_5(居民身份证号)", "法定代表人姓名", "处罚结果", "处罚决定日期", "处罚机关",
    "当前状态", "地方编码", "数据更新时间戳", "备注",
]  # fmt: skip
LICENCE_2016 = [
    "行政许可决定书文号", "项目名称", "审批类别", "许可内容", "行政相对人名称",
    "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(组织机构代码)",
    "行政相对人代码_3(工商登记码)", "行政相对人代码_4(税务登记号)",
    "行政相对人代码_5(居民身份证号)", "法定代表人姓名", "许可决定日期", "许可截止期", "许可机关",
    "当前状态", "地方编码", "数据更新时间戳", "备注",
]  # fmt: skip

REGISTRATION_JSON_KEYS = [
    "name", "code", "registrationDay", "character", "legalRepresentative",
    "capital", "businessScope", "province", "city", "address",
]  # fmt: skip


def norm(header: str) -> str:
    """How the intake compares headers: NFKC (full-width brackets = ASCII), trimmed, casefolded."""
    return unicodedata.normalize("NFKC", header).strip().casefold()


def header_index(fields: list[FieldSpec]) -> dict[str, str]:
    return {norm(h): f.code for f in fields for h in f.headers}


def map_headers(fields: list[FieldSpec], headers: list[str]) -> list[str | None]:
    index = header_index(fields)
    return [index.get(norm(h)) for h in headers]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def legacy(spec: DatasetSpec, name: str = "legacy_2016") -> list[FieldSpec]:
    return dict(spec.layouts())[name]


def test_every_dataset_is_packaged(catalog: Catalog) -> None:
    assert set(catalog.codes()) >= DATASETS


@pytest.mark.parametrize("code", sorted(DATASETS))
def test_spec_metadata(catalog: Catalog, code: str) -> None:
    spec = catalog.get(code)
    assert spec.name and spec.name_en and spec.description and spec.legal_basis
    assert spec.category in BASE_CATEGORIES
    assert spec.update_cycle in UPDATE_CYCLES
    assert spec.open is (code in OPEN)
    assert spec.list_type is (code in LISTS)
    assert spec.date_field is not None
    assert spec.field(spec.date_field).type == "date"
    keys = spec.subject_keys.model_dump(exclude_none=True)
    assert keys.get("name"), "every dataset names its subject"
    for layout, fields in spec.layouts():
        codes = {f.code for f in fields}
        assert set(keys.values()) & codes, layout
        assert all(k == "@subject" or k in codes for k in spec.dedupe_key)


@pytest.mark.parametrize("code", sorted(DATASETS))
def test_every_field_is_documented_and_headers_are_unambiguous(catalog: Catalog, code: str) -> None:
    spec = catalog.get(code)
    for layout, fields in spec.layouts():
        assert len({f.code for f in fields}) == len(fields), layout
        seen: dict[str, str] = {}
        for f in fields:
            assert f.note, f"{code}/{layout}/{f.code} has no note"
            assert f.name_en, f"{code}/{layout}/{f.code} has no name_en"
            for h in f.headers:
                assert seen.setdefault(norm(h), f.code) == f.code, f"{layout}: {h} is ambiguous"


@pytest.mark.parametrize("code", sorted(DATASETS))
def test_personal_data_is_masked(catalog: Catalog, code: str) -> None:
    for _, fields in catalog.get(code).layouts():
        for f in fields:
            if f.type in ("id_number", "resident_id"):
                # shown masked, or kept only as a keyed hash and never shown
                assert f.mask == "id_number" or (f.keyed_hash and f.mask == "hidden"), f.code
            if ("法定代表人" in f.name and "证件" not in f.name) or f.name == "法人代表":
                assert f.mask == "person_name", f.code


def test_info_classes(catalog: Catalog) -> None:
    for code in ("serious_dishonest_list", "dishonest_debtor", "tax_violation",
                 "gov_procurement_violation"):  # fmt: skip
        assert catalog.get(code).info_class == "严重失信"
    assert catalog.get("red_list").info_class == "诚实守信"
    assert catalog.get("tax_a").info_class == "诚实守信"
    assert catalog.get("abnormal_list").info_class == "行政管理"


# The real files have the ten columns the registration spec started with; the fields added
# since (status, authority, investors … as 国家企业信用信息公示系统 shows) are optional.
LEGACY_REGISTRATION_FIELDS = 10


def test_registration_maps_the_real_csv_header(catalog: Catalog, real_data: Path) -> None:
    spec = catalog.get("registration").model_copy()
    spec.fields = spec.fields[:LEGACY_REGISTRATION_FIELDS]
    files = [real_data / "registrations" / "2002_北京.csv",
             *sorted((real_data / "registrations" / "csv_1993").glob("*.csv"))]  # fmt: skip
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == [f.name for f in spec.fields], path.name
        assert map_headers(spec.fields, header) == [f.code for f in spec.fields]


def test_registration_maps_the_real_json_keys(catalog: Catalog, real_data: Path) -> None:
    spec = catalog.get("registration").model_copy()
    spec.fields = spec.fields[:LEGACY_REGISTRATION_FIELDS]
    path = real_data / "registrations" / "json_sample" / "1993_北京.json"
    first = json.loads(path.read_text(encoding="utf-8"))["erDataList"][0]
    assert list(first) == REGISTRATION_JSON_KEYS
    assert map_headers(spec.fields, list(first)) == [f.code for f in spec.fields]


def test_registration_field_rules(catalog: Catalog) -> None:
    spec = catalog.get("registration")
    assert spec.subject_role == "registration"
    assert spec.dedupe_key == ["@subject"]
    code = spec.field("DJ_TYSHXYDM")
    assert code.type == "subject_code" and code.required
    assert spec.subject_keys.uscc == spec.subject_keys.reg_no == "DJ_TYSHXYDM"
    assert spec.subject_keys.name == "DJ_QYMC"
    assert spec.field("DJ_ZCZB").type == "capital"
    assert spec.field("DJ_FDDBR").mask == "person_name"
    index = header_index(spec.fields)
    for alias, target in [("法定代表人", "DJ_FDDBR"), ("注册资本", "DJ_ZCZB"),
                          ("成立日期", "DJ_ZCRQ"), ("住所", "DJ_ZCDZ")]:  # fmt: skip
        assert index[alias] == target


@pytest.mark.parametrize(
    ("code", "table"), [("penalty", PENALTY_TABLE), ("licence", LICENCE_TABLE)]
)
def test_shuanggongshi_current_layout(
    catalog: Catalog, code: str, table: list[tuple[str, str]]
) -> None:
    spec = catalog.get(code)
    fields = [(f.name, f.code) for f in spec.fields]
    assert fields[: len(table)] == table  # the national table, every field, in order
    # then only the platform's own extension fields
    extensions = {
        "penalty": [("当前状态", "CF_ZT"), ("失信严重程度", "CF_YZCD"), ("所属领域", "CF_SSLY")],
        "licence": [],
    }[code]
    assert fields[len(table) :] == extensions
    index = header_index(spec.fields)
    prefix = "CF" if code == "penalty" else "XK"
    # plain names, bracket-less names, and ASCII brackets all map
    assert index[norm("统一社会信用代码")] == f"{prefix}_XDR_SHXYM"
    assert index[norm("行政相对人代码_1")] == f"{prefix}_XDR_SHXYM"
    assert index[norm("行政相对人代码_1(统一社会信用代码)")] == f"{prefix}_XDR_SHXYM"
    assert index[norm("组织机构代码")] == f"{prefix}_XDR_ZZJG"
    assert spec.subject_keys.model_dump() == {
        "uscc": f"{prefix}_XDR_SHXYM",
        "reg_no": f"{prefix}_XDR_GSZC",
        "org_code": f"{prefix}_XDR_ZZJG",
        "person_id": f"{prefix}_XDR_ZJHM",
        "name": f"{prefix}_XDR_MC",
        "category": f"{prefix}_XDR_LB",
    }
    assert spec.date_field == f"{prefix}_JDRQ"
    decision = spec.field(f"{prefix}_JDRQ")
    assert decision.type == "date" and decision.required and decision.not_after_today
    category = spec.field(f"{prefix}_XDR_LB")
    assert category.values == ["法人及非法人组织", "自然人", "个体工商户"]
    uscc = spec.field(f"{prefix}_XDR_SHXYM").required_when
    assert uscc is not None and uscc.field == f"{prefix}_XDR_LB"
    assert set(uscc.in_ or []) == {"法人及非法人组织", "个体工商户"}
    for kind, number in [("XDR_ZJLX", "XDR_ZJHM"), ("FR_ZJLX", "FR_ZJHM")]:
        id_field = spec.field(f"{prefix}_{number}")
        assert id_field.type == "id_number" and id_field.mask == "id_number"
        assert id_field.id_type_field == f"{prefix}_{kind}"
        assert spec.field(f"{prefix}_{kind}").other_prefix == "其他"
    for number in ("XDR_ZJLX", "XDR_ZJHM"):
        cond = spec.field(f"{prefix}_{number}").required_when
        assert cond is not None and cond.in_ == ["自然人"]
    for f in spec.fields:
        if f.name.endswith("统一社会信用代码") and f.code != f"{prefix}_XDR_SHXYM":
            assert f.type == "uscc" and f.required, f.code


def test_penalty_rules(catalog: Catalog) -> None:
    spec = catalog.get("penalty")
    assert spec.dedupe_key == ["CF_WSH", "@subject", "CF_JDRQ", "CF_CFJG"]
    category = spec.field("CF_CFLB")
    assert category.multiple and category.other_prefix == "其他"
    assert {"警告", "通报批评", "罚款", "限制从业", "行政拘留"} <= set(category.values or [])
    fine = spec.field("CF_NR_FK")
    assert fine.positive_when is not None
    assert (fine.positive_when.field, fine.positive_when.contains) == ("CF_CFLB", "罚款")
    assert fine.required_when == fine.positive_when
    for code in ("CF_NR_FK", "CF_NR_WFFF"):
        amount = spec.field(code)
        assert (amount.type, amount.scale, amount.unit) == ("decimal", 6, "万元")
    assert spec.field("CF_YXQ").long_term_sentinel


def test_licence_rules(catalog: Catalog) -> None:
    spec = catalog.get("licence")
    assert spec.dedupe_key == ["XK_WSH", "@subject", "XK_JDRQ", "XK_XKJG"]
    until = spec.field("XK_YXQZI")
    assert until.long_term_sentinel and until.not_before == "XK_YXQZ"
    assert spec.field("XK_XKLB").values == ["普通", "特许", "认可", "核准", "登记"]
    assert spec.field("XK_XKLB").other_prefix == "其他"
    assert spec.field("XK_ZT").value_aliases == {"1": "有效", "2": "无效"}
    assert "XK_FDDB" in spec.field("XK_FRDB").aliases


@pytest.mark.parametrize(("code", "names"), [("penalty", PENALTY_2016), ("licence", LICENCE_2016)])
def test_legacy_2016_layout(catalog: Catalog, code: str, names: list[str]) -> None:
    spec = catalog.get(code)
    fields = legacy(spec)
    assert [norm(f.name) for f in fields] == [norm(n) for n in names]
    codes = {f.code for f in fields}
    assert {k for k in spec.dedupe_key if k != "@subject"} <= codes
    prefix = "CF" if code == "penalty" else "XK"
    mapped = dict(zip(names, map_headers(fields, names), strict=True))
    # same meaning, same storage key as the current layout; note _2/_3 are swapped in 2016
    assert mapped["行政相对人代码_2(组织机构代码)"] == f"{prefix}_XDR_ZZJG"
    assert mapped["行政相对人代码_3(工商登记码)"] == f"{prefix}_XDR_GSZC"
    assert mapped["行政相对人代码_5(居民身份证号)"] == f"{prefix}_XDR_ZJHM"
    assert mapped["法定代表人姓名"] == f"{prefix}_FRDB"
    current = {f.code for f in spec.fields}
    shared = codes & current
    assert len(shared) >= 12
    if code == "penalty":
        assert mapped["处罚事由"] == "CF_SY" and mapped["处罚结果"] == "CF_NR"
        assert mapped["处罚类别1"] == "CF_CFLB"
    else:
        assert mapped["许可截止期"] == "XK_YXQZI" and mapped["审批类别"] == "XK_XKLB"
        # the 2016 status means 正常/撤销/异议, not 有效/无效: it has its own code
        assert mapped["当前状态"] not in current


@pytest.mark.parametrize("code", sorted(LISTS))
def test_list_datasets_share_the_list_fields(catalog: Catalog, code: str) -> None:
    spec = catalog.get(code)
    codes = {f.code for f in spec.fields}
    assert {"MD_ZTMC", "MD_ZTLB", "MD_TYSHXYDM", "MD_FDDBR", "MD_RDJG", "MD_RDJGDM", "MD_LRRQ",
            "MD_LRYY", "MD_RDYJ", "MD_JHYCRQ", "MD_SJYCRQ", "MD_YCYY"} <= codes  # fmt: skip
    assert spec.date_field == "MD_LRRQ"
    listed = spec.field("MD_LRRQ")
    assert listed.required and listed.not_after_today
    assert spec.field("MD_RDJGDM").type == "uscc"
    assert spec.field("MD_FDDBR").mask == "person_name"
    removal = spec.field("MD_YCYY").required_when
    assert removal is not None and (removal.field, removal.present) == ("MD_SJYCRQ", True)


def test_list_specific_fields(catalog: Catalog) -> None:
    def names(code: str) -> set[str]:
        return {f.name for f in catalog.get(code).fields}

    assert {"执行法院", "执行依据文号", "案号", "生效法律文书确定的义务", "被执行人的履行情况",
            "失信被执行人行为具体情形"} <= names("dishonest_debtor")  # fmt: skip
    assert {"案件性质", "主要违法事实", "相关法律依据及税务处理处罚情况", "财务负责人"} <= names(
        "tax_violation"
    )
    assert catalog.get("tax_violation").field("MD_CWFZR").mask == "person_name"
    assert "评价年度" in names("tax_a")
    assert {"处罚结果", "处罚依据", "处罚日期", "公布日期"} <= names("gov_procurement_violation")
    assert catalog.get("dishonest_debtor").dedupe_key == ["MD_AH", "@subject"]


def test_commitment(catalog: Catalog) -> None:
    spec = catalog.get("commitment")
    assert spec.field("CN_CNLX").values == [
        "审批替代型",
        "容缺受理型",
        "行业自律型",
        "主动型",
        "修复型",
    ]
    assert spec.field("CN_LYZT").values == ["履约中", "已履约", "未履约"]
    assert spec.field("CN_SLBMDM").type == "uscc"
    assert spec.field("CN_YXQZ").not_before == "CN_CNRQ"


def test_value_aliases_must_name_a_value() -> None:
    field = {"code": "X", "name": "状态", "type": "enum", "values": ["有效", "无效"]}
    assert FieldSpec.model_validate({**field, "value_aliases": {"1": "有效"}}).value_aliases
    with pytest.raises(ValidationError):
        FieldSpec.model_validate({**field, "value_aliases": {"3": "作废"}})
    with pytest.raises(ValidationError):
        FieldSpec.model_validate({"code": "X", "name": "备注", "value_aliases": {"1": "有效"}})


def test_deployment_override_replaces_a_packaged_spec(catalog: Catalog, tmp_path: Path) -> None:
    text = resources.files("gongxin.catalog").joinpath("specs", "tax_a.yaml").read_text("utf-8")
    (tmp_path / "tax_a.yaml").write_text(
        text.replace('version: "2014"', 'version: "2099"'), "utf-8"
    )
    assert load_catalog(tmp_path).get("tax_a").version == "2099"
    assert catalog.get("tax_a").version == "2014"
