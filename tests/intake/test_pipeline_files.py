"""ingest() on awkward files: encodings, empty and ragged files, multi-line and huge cells,
files of the wrong dataset, unknown columns, field-code headers and the 2016 layout."""

from __future__ import annotations

import json
import random

import pytest

from gongxin.errors import UnreadableFile, WrongDataset
from tests.intake.helpers import (
    PENALTY,
    PENALTY_COLUMNS,
    Store,
    assert_reconciles,
    by_row,
    catalog,
    make_uscc,
    penalty_row,
    penalty_table,
    registration_row,
    write_csv,
    write_registrations,
)

NOTHING = {"submissions": 0, "records": 0, "rejects": 0, "record_history": 0, "subjects": 0}
NAMES = ["北京龙腾鑫源商贸有限公司", "海淀区张记餐馆", "中关村科技发展（集团）股份有限公司"]


def named_rows(names: list[str]) -> list[dict[str, str]]:
    return [penalty_row(n, CF_XDR_MC=name) for n, name in enumerate(names, 1)]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_encodings_are_read_without_a_declaration(store: Store, encoding: str) -> None:
    names = [*NAMES, "𠮷野家餐饮管理有限公司"] if encoding == "gb18030" else NAMES
    path = store.penalties("gb.csv", named_rows(names), encoding=encoding)
    summary = store.ingest(path)
    assert (summary.rows, summary.accepted, summary.rejected) == (len(names), len(names), 0)
    assert summary.encoding in ("gbk", "gb18030")
    assert [r["subject_name"] for r in store.records()] == names
    assert [r["data"]["CF_XDR_MC"] for r in store.records()] == names


def test_a_wrong_declared_encoding_is_overruled_with_a_note(store: Store) -> None:
    path = store.penalties("declared.csv", named_rows(NAMES), encoding="gbk")
    summary = store.ingest(path, declared_encoding="utf-8")
    assert summary.accepted == 3
    assert [r["subject_name"] for r in store.records()] == NAMES
    assert any("UTF-8" in n and "GBK" in n for n in summary.notes), summary.notes


def test_header_only_file_gives_an_empty_submission(store: Store) -> None:
    headers, _ = penalty_table([])
    summary = store.ingest(write_csv(store.folder / "header.csv", headers, []))
    counts = (summary.rows, summary.accepted, summary.updated, summary.duplicates)
    assert counts == (0, 0, 0, 0)
    assert (summary.rejected, summary.unlinked, summary.warnings) == (0, 0, 0)
    assert store.count("records") == 0


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"  \r\n\r\n"])
def test_empty_file_is_refused_and_nothing_is_stored(store: Store, content: bytes) -> None:
    path = store.folder / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile):
        store.ingest(path)
    assert store.counts() == NOTHING


def test_ragged_rows_are_rejected_with_their_rule(store: Store) -> None:
    headers, values = penalty_table([penalty_row(n) for n in range(1, 5)])
    values[1] = [*values[1], "多出来的值"]  # row 3: one value too many
    values[2] = values[2][:5]  # row 4: stops after five columns
    summary = store.ingest(write_csv(store.folder / "ragged.csv", headers, values))
    assert (summary.rows, summary.accepted, summary.rejected) == (4, 2, 2)
    found = by_row(store.rejects(summary.submission_id))
    assert "extra_columns" in found[3].rules
    assert any("多出来的值" in e["value"] for e in found[3].errors)
    assert found[4].rules == {"required"}
    missing = {e["field"] for e in found[4].errors}
    assert {"CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_JDRQ", "CF_CFJG"} <= missing


def test_quoted_newlines_are_kept_and_row_numbers_stay_right(store: Store) -> None:
    facts = "当事人于2023年：\n一、发布虚假广告；\r\n二、拒不改正。"
    rows = [penalty_row(1, CF_SY=facts), penalty_row(2, BZ="第一行\n第二行"), penalty_row(3)]
    rows.append(penalty_row(4, CF_XDR_LB="不存在的类别"))
    summary = store.ingest(store.penalties("newlines.csv", rows))
    assert (summary.rows, summary.accepted, summary.rejected) == (4, 3, 1)
    stored = {r["row_no"]: r["data"] for r in store.records()}
    assert sorted(stored) == [2, 3, 4]
    assert stored[2]["CF_SY"] == facts
    assert stored[3]["BZ"] == "第一行\n第二行"
    assert stored[4]["CF_WSH"] == "京海市监罚〔2024〕3号"
    assert [r.row_no for r in store.rejects(summary.submission_id)] == [5]


def test_a_ten_megabyte_cell_is_read_intact(store: Store) -> None:
    huge = ("违法事实" * 1024 * 1024)[: 10 * 1024 * 1024 // 3] + "完"
    rows = [penalty_row(1), penalty_row(2, CF_SY=huge), penalty_row(3)]
    summary = store.ingest(store.penalties("huge.csv", rows))
    assert summary.rows == 3
    assert_reconciles(summary)
    limit = next(f for f in catalog().get("penalty").fields if f.code == "CF_SY").max_length
    if limit is not None and len(huge) > limit:
        assert (summary.accepted, summary.rejected) == (2, 1)
        (reject,) = store.rejects(summary.submission_id)
        assert reject.row_no == 3
        (error,) = reject.errors
        assert (error["field"], error["rule"]) == ("CF_SY", "max_length")
        assert reject.raw[PENALTY["CF_SY"]] == huge  # the quarantine keeps the whole value
    else:
        assert summary.accepted == 3
        assert store.records()[1]["data"]["CF_SY"] == huge
    assert [r["row_no"] for r in store.records()][-1] == 4


def test_a_registration_file_submitted_as_penalty_is_refused(store: Store) -> None:
    path = write_registrations(store.folder / "reg.csv", [registration_row(1)])
    with pytest.raises(WrongDataset) as caught:
        store.ingest(path, dataset="penalty")
    message = caught.value.message
    assert "行政处罚" in message and "penalty" in message
    assert "registration" in message  # what it looks like
    assert caught.value.to_dict()["error"] == "wrong_dataset"
    assert store.counts() == NOTHING


def test_a_file_missing_a_required_column_is_refused(store: Store) -> None:
    columns = [c for c in PENALTY_COLUMNS if c != "CF_CFJG"]
    path = store.penalties("no-authority.csv", [penalty_row(1)], columns=columns)
    with pytest.raises(WrongDataset) as caught:
        store.ingest(path)
    assert "处罚机关" in caught.value.message and "CF_CFJG" in caught.value.message
    assert store.counts() == NOTHING


def test_unknown_columns_are_accepted_and_listed(store: Store) -> None:
    headers, values = penalty_table([penalty_row(1), penalty_row(2)])
    headers = [*headers[:3], "内部编号", *headers[3:], "经办人"]
    values = [[*v[:3], f"NB-{i}", *v[3:], "王五"] for i, v in enumerate(values)]
    summary = store.ingest(write_csv(store.folder / "extra.csv", headers, values))
    assert (summary.accepted, summary.rejected) == (2, 0)
    assert summary.unknown_columns == ["内部编号", "经办人"]


def test_field_codes_as_headers_in_any_order_with_spaces(store: Store) -> None:
    rows = [penalty_row(1), penalty_row(2)]
    codes = list(PENALTY_COLUMNS)
    random.Random(7).shuffle(codes)
    headers = [f"  {c} " if i % 2 else c.lower() for i, c in enumerate(codes)]
    values = [[r[c] for c in codes] for r in rows]
    summary = store.ingest(write_csv(store.folder / "codes.csv", headers, values))
    assert (summary.accepted, summary.rejected, summary.unknown_columns) == (2, 0, [])
    assert store.records()[0]["data"]["CF_XDR_MC"] == rows[0]["CF_XDR_MC"]


LEGACY_HEADERS = [
    "行政处罚决定书文号",
    "处罚名称",
    "处罚类别1",
    "处罚类别2",
    "处罚事由",
    "处罚依据",
    "行政相对人名称",
    "行政相对人代码_1（统一社会信用代码）",
    "行政相对人代码_2（组织机构代码）",
    "行政相对人代码_3（工商登记码）",
    "行政相对人代码_4（税务登记号）",
    "行政相对人代码_5（居民身份证号）",
    "法定代表人姓名",
    "处罚结果",
    "处罚决定日期",
    "处罚机关",
    "当前状态",
    "地方编码",
    "数据更新时间戳",
    "备注",
]


def test_the_2016_layout_is_recognised(store: Store) -> None:
    code = make_uscc(1)
    common = {"处罚机关": "北京市海淀区工商行政管理局", "地方编码": "110108"}
    rows = [
        {
            "行政处罚决定书文号": "京海工商罚字〔2016〕1号",
            "处罚名称": "虚假宣传案",
            "处罚类别1": "罚款",
            "处罚事由": "发布虚假广告",
            "处罚依据": "《广告法》",
            "行政相对人名称": "北京测试1商贸有限公司",
            "行政相对人代码_1（统一社会信用代码）": code,
            "行政相对人代码_2（组织机构代码）": code[8:17],
            "法定代表人姓名": "张三",
            "处罚结果": "罚款1万元",
            "处罚决定日期": "2016/05/04",
            "当前状态": "0",
            "数据更新时间戳": "2016/05/06",
            **common,
        },
        {
            "行政处罚决定书文号": "京海工商罚字〔2016〕2号",
            "处罚类别1": "警告",
            "处罚类别2": "责令停产停业",
            "处罚事由": "无照经营",
            "处罚依据": "《无照经营查处取缔办法》",
            "行政相对人名称": "王某某",
            "处罚结果": "警告",
            "处罚决定日期": "2016/06/01",
            **common,
        },
    ]
    values = [[r.get(h, "") for h in LEGACY_HEADERS] for r in rows]
    summary = store.ingest(write_csv(store.folder / "2016.csv", LEGACY_HEADERS, values))
    assert summary.layout == "legacy_2016"
    assert (summary.rows, summary.accepted, summary.rejected) == (2, 2, 0)
    assert summary.unknown_columns == []
    assert any("legacy_2016" in n for n in summary.notes)
    first, second = store.records()
    assert first["data"]["CF_ZT"] == "正常"
    assert first["data"]["CF_XDR_ZZJG"] == code[8:17]
    assert second["data"]["CF_CFLB2"] == ["责令停产停业"]


def test_registration_headers_are_the_published_ones(store: Store) -> None:
    path = write_registrations(store.folder / "reg.csv", [registration_row(1)])
    summary = store.ingest(path, dataset="registration")
    assert (summary.accepted, summary.unknown_columns) == (1, [])


def test_json_objects_may_omit_optional_keys(store: Store) -> None:
    """JSON exports leave out empty keys: a key the first object lacks is still a field."""
    items = [
        {"name": "甲商贸有限公司", "code": make_uscc(1), "registrationDay": "2015-01-01"},
        {
            "name": "乙商贸有限公司",
            "code": make_uscc(2),
            "registrationDay": "2015-01-01",
            "capital": "10(万元人民币)",
            "address": "北京市海淀区中关村大街1号",
        },
    ]
    path = store.folder / "reg.json"
    path.write_text(json.dumps({"erDataList": items}, ensure_ascii=False), encoding="utf-8")
    summary = store.ingest(path, dataset="registration")
    assert summary.format == "json"
    assert (summary.rows, summary.accepted, summary.rejected) == (2, 2, 0)
    second = store.subject(uscc=make_uscc(2))
    assert second["address"] == "北京市海淀区中关村大街1号"
    assert second["capital_unit"] == "万元人民币"
