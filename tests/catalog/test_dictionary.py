"""The data dictionary: one Chinese row per field, with requirement, format and masking."""

from __future__ import annotations

import pytest

from gongxin.catalog.dictionary import (
    COLUMNS,
    UnknownLayout,
    dataset_summary,
    dictionary_rows,
    layout_summary,
)
from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import load_catalog


@pytest.fixture(scope="module")
def penalty() -> DatasetSpec:
    return load_catalog().get("penalty")


def by_code(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["字段代码"]: row for row in rows}


def test_one_row_per_field_in_order(penalty: DatasetSpec) -> None:
    rows = dictionary_rows(penalty)
    assert [row["字段代码"] for row in rows] == [f.code for f in penalty.fields]
    assert [row["序号"] for row in rows] == [str(i) for i in range(1, len(penalty.fields) + 1)]
    assert all(tuple(row) == COLUMNS for row in rows)
    assert all(row["说明"] and row["英文名"] for row in rows)


def test_requirement_is_yes_no_or_the_condition(penalty: DatasetSpec) -> None:
    rows = by_code(dictionary_rows(penalty))
    assert rows["CF_WSH"]["必填"] == "是"
    assert rows["BZ"]["必填"] == "否"
    uscc = rows["CF_XDR_SHXYM"]["必填"]
    assert uscc.startswith("条件：") and "行政相对人类别" in uscc
    assert "法人及非法人组织" in uscc and "个体工商户" in uscc
    assert "自然人" in rows["CF_XDR_ZJHM"]["必填"]
    assert "罚款" in rows["CF_NR_FK"]["必填"]


def test_formats_types_and_masking_in_chinese(penalty: DatasetSpec) -> None:
    rows = by_code(dictionary_rows(penalty))
    assert rows["CF_XDR_LB"]["类型"] == "枚举"
    assert "法人及非法人组织、自然人、个体工商户" in rows["CF_XDR_LB"]["取值/格式"]
    assert rows["CF_CFLB"]["类型"].startswith("多选")
    assert "其他" in rows["CF_CFLB"]["取值/格式"]
    amount = rows["CF_NR_FK"]["取值/格式"]
    assert "6位小数" in amount and "万元" in amount and "大于0" in amount
    until = rows["CF_YXQ"]["取值/格式"]
    assert "YYYY/MM/DD" in until and "2099/12/31" in until and "处罚决定日期" in until
    assert "不得晚于提交日" in rows["CF_JDRQ"]["取值/格式"]
    assert rows["CF_XDR_ZJHM"]["脱敏"].startswith("是")
    assert rows["CF_FRDB"]["脱敏"].startswith("是")
    assert rows["CF_WSH"]["脱敏"] == "否"
    assert "最长128个字符" in rows["CF_WSH"]["取值/格式"]
    assert rows["CF_CFJGDM"]["类型"] == "统一社会信用代码"


def test_value_codes_are_listed() -> None:
    rows = by_code(dictionary_rows(load_catalog().get("licence")))
    assert "1=有效" in rows["XK_ZT"]["取值/格式"]


def test_legacy_layout_dictionary_and_unknown_layout(penalty: DatasetSpec) -> None:
    rows = dictionary_rows(penalty, "legacy_2016")
    assert rows[1]["中文名称"] == "处罚名称"
    with pytest.raises(UnknownLayout) as err:
        dictionary_rows(penalty, "legacy_1999")
    assert "legacy_2016" in err.value.zh and "legacy_1999" in err.value.en


def test_layout_and_dataset_summary(penalty: DatasetSpec) -> None:
    layouts = layout_summary(penalty)
    assert [row["格式"] for row in layouts] == ["current", "legacy_2016"]
    # 30 national fields + 当前状态, 失信严重程度, 所属领域
    assert layouts[0]["字段数"] == "33" and layouts[1]["字段数"] == "20"
    assert layouts[0]["去重键"] == "行政处罚决定书文号 + 主体代码 + 处罚决定日期 + 处罚机关"
    meta = dict(dataset_summary(penalty))
    assert meta["公开范围"] == "社会公开" and meta["开放"] == "是"
    assert "行政处罚法" in meta["法律依据"]
