"""Registration files create and update subjects, keyed by USCC or 15-digit registration number;
a code that is neither is rejected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gongxin.ids import regno
from gongxin.intake.pipeline import Summary
from tests.intake.helpers import (
    Store,
    make_regno,
    make_uscc,
    registration_row,
    write_registrations,
    wrong_check,
)

REG_NO = "110108000000016"


def register(store: Store, name: str, rows: list[dict[str, str]]) -> Summary:
    return store.ingest(write_registrations(store.folder / name, rows), dataset="registration")


def test_subjects_are_created_by_uscc_and_by_registration_number(store: Store) -> None:
    assert regno.is_valid(REG_NO)
    code = make_uscc(1)
    summary = register(
        store,
        "reg.csv",
        [
            registration_row(1),
            registration_row(2, 统一社会信用代码=REG_NO, 企业名称="北京老字号店"),
        ],
    )
    assert (summary.accepted, summary.rejected) == (2, 0)
    assert store.count("subjects") == 2

    by_uscc = store.subject(uscc=code)
    assert by_uscc["name"] == "北京测试1商贸有限公司"
    assert by_uscc["org_code"] == code[8:17]
    assert by_uscc["reg_no"] is None
    assert by_uscc["capital"] == Decimal("2000")
    assert by_uscc["capital_unit"] == "万元人民币"
    assert by_uscc["reg_date"] == date(2015, 3, 2)
    assert (by_uscc["province"], by_uscc["region"]) == ("北京", "海淀")
    assert by_uscc["legal_rep"] == "李四"

    by_reg_no = store.subject(reg_no=REG_NO)
    assert (by_reg_no["name"], by_reg_no["uscc"]) == ("北京老字号店", None)

    records = store.records("registration")
    assert {r["subject_id"] for r in records} == {by_uscc["id"], by_reg_no["id"]}


@pytest.mark.parametrize(
    "code",
    [
        "1101080000000",  # 13 digits: an old number, neither kind
        wrong_check(make_uscc(5)),  # a USCC with a wrong check character
        wrong_check(make_regno(5)),  # a registration number with a wrong check digit
        "N/A",
    ],
    ids=["13-digits", "uscc-check", "regno-check", "null"],
)
def test_a_code_that_is_neither_is_rejected_naming_the_code_field(store: Store, code: str) -> None:
    summary = register(
        store, "reg.csv", [registration_row(1), registration_row(5, 统一社会信用代码=code)]
    )
    assert (summary.accepted, summary.rejected) == (1, 1)
    (reject,) = store.rejects(summary.submission_id)
    assert reject.row_no == 3
    (error,) = reject.errors
    assert (error["field"], error["name"]) == ("DJ_TYSHXYDM", "统一社会信用代码")
    assert store.count("subjects") == 1


def test_a_later_registration_with_changed_capital_updates_the_subject(store: Store) -> None:
    first = register(store, "a.csv", [registration_row(1), registration_row(2)])
    assert first.accepted == 2
    before = store.subject(uscc=make_uscc(1))
    second = register(
        store,
        "b.csv",
        [registration_row(1, 注册资金="3,500.5(万元人民币)"), registration_row(2)],
    )
    assert (second.accepted, second.updated, second.duplicates) == (0, 1, 1)
    after = store.subject(uscc=make_uscc(1))
    assert after["id"] == before["id"]
    assert after["capital"] == Decimal("3500.5")
    assert store.count("subjects") == 2
    (record,) = [r for r in store.records("registration") if r["subject_id"] == after["id"]]
    assert record["version"] == 2
    (old,) = store.history(record["id"])
    assert old["data"]["DJ_ZCZB"]["amount"] == "2000"


def test_the_same_subject_twice_in_one_file_keeps_the_last(store: Store) -> None:
    rows = [
        registration_row(1, 企业名称="旧名称有限公司"),
        registration_row(1, 企业名称="新名称有限公司"),
    ]
    summary = register(store, "a.csv", rows)
    assert (summary.rows, summary.accepted, summary.updated) == (2, 1, 1)
    assert store.subject(uscc=make_uscc(1))["name"] == "新名称有限公司"
    assert store.count("subjects") == 1
