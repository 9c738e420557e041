"""The registration dataset carries what 国家企业信用信息公示系统 shows: status, authority, term,
industry and region codes, the legal representative's ID (kept only as a keyed hash),
investors, contacts and changes. Legacy files without these columns still load."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from gongxin.db.supervision_tables import subject_changes, subject_parties
from gongxin.records.gate import Audience, masked
from tests.intake.helpers import (
    REGISTRATION,
    Store,
    catalog,
    make_uscc,
    registration_row,
    write_csv,
)

ID_NUMBER = "11010519491231002X"
DETAILS = [
    "登记状态",
    "登记机关",
    "营业期限至",
    "行业代码",
    "行政区划代码",
    "法定代表人证件号码",
    "股东及出资信息",
    "联系电话",
    "电子邮箱",
    "变更记录",
]


def detailed_row(n: int, **values: str) -> dict[str, str]:
    row = registration_row(n) | {
        "登记状态": "在营",  # an alias of 存续
        "登记机关": "北京市海淀区市场监督管理局",
        "营业期限至": "2099-12-31",
        "行业代码": "F5137",
        "行政区划代码": "110108",
        "法定代表人证件号码": ID_NUMBER.lower(),
        "股东及出资信息": f"李四:60%；{make_uscc(9)}:40%",
        "联系电话": "+86 010-6275 1234",
        "电子邮箱": "Info@Example.CN",
        "变更记录": "2024-03-01|法定代表人|张三|李四;2024-13-01|住所|甲|乙",
    }
    row.update(values)
    return row


def write(store: Store, rows: list[dict[str, str]], headers: list[str]) -> str:
    path = write_csv(
        store.folder / "reg.csv", headers, ([r.get(h, "") for h in headers] for r in rows)
    )
    summary = store.ingest(path, dataset="registration")
    assert summary.rejected == 0
    return summary.submission_id


def test_details_fill_the_subject_and_the_id_number_is_kept_only_as_a_keyed_hash(
    store: Store,
) -> None:
    write(
        store,
        [detailed_row(1), detailed_row(2, 企业名称="北京测试2号有限公司")],
        REGISTRATION + DETAILS,
    )
    subject = store.subject(uscc=make_uscc(1))
    assert subject["reg_status"] == "存续"
    assert subject["reg_authority"] == "北京市海淀区市场监督管理局"
    assert subject["term_end"] == date(2099, 12, 31)
    assert (subject["industry_code"], subject["region_code"]) == ("F5137", "110108")
    assert subject["phone"] == "+86 010-6275 1234"
    key = subject["legal_rep_key"]
    assert key.startswith("hmac:") and ID_NUMBER not in key and "002X" not in key
    # the same person representing another firm gets the same key: they can be related
    assert store.subject(uscc=make_uscc(2))["legal_rep_key"] == key

    (record, _) = store.records("registration")
    assert record["data"]["DJ_FDDBRZJHM"] == key
    public = masked(catalog().get("registration"), record["data"], Audience.PUBLIC)
    assert public["DJ_FDDBRZJHM"] == ""

    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(subject_parties.c.kind, subject_parties.c.key, subject_parties.c.share)
            .where(subject_parties.c.subject_id == subject["id"])
            .order_by(subject_parties.c.kind, subject_parties.c.key)
        ).all()
        changes = conn.execute(
            sa.select(
                subject_changes.c.changed_on, subject_changes.c.item, subject_changes.c.after
            ).where(subject_changes.c.subject_id == subject["id"])
        ).all()
    assert [tuple(r) for r in rows] == [
        ("address", "北京市海淀区中关村大街1号", None),
        ("email", "info@example.cn", None),
        ("investor", make_uscc(9), "40"),
        ("investor", "name:李四", "60"),
        ("legal_rep", key, None),
        ("phone", "01062751234", None),
    ]
    # the malformed second change (month 13) is skipped, not guessed
    assert [tuple(c) for c in changes] == [(date(2024, 3, 1), "法定代表人", "李四")]


def test_a_reload_replaces_parties_and_a_legacy_file_still_loads(store: Store) -> None:
    write(store, [detailed_row(1)], REGISTRATION + DETAILS)
    write(store, [registration_row(1, 注册地址="上海市浦东新区世纪大道100号")], REGISTRATION)
    subject = store.subject(uscc=make_uscc(1))
    assert subject["reg_status"] is None
    with store.engine.connect() as conn:
        kinds = conn.execute(
            sa.select(subject_parties.c.kind, subject_parties.c.key).where(
                subject_parties.c.subject_id == subject["id"]
            )
        ).all()
    assert [tuple(k) for k in kinds] == [("address", "上海市浦东新区世纪大道100号")]


def test_an_invalid_id_number_is_rejected_naming_the_field(store: Store) -> None:
    path = write_csv(
        store.folder / "bad.csv",
        REGISTRATION + DETAILS,
        [
            [
                detailed_row(1, 法定代表人证件号码="110105194912310021").get(h, "")
                for h in REGISTRATION + DETAILS
            ]
        ],
    )
    summary = store.ingest(path, dataset="registration")
    assert summary.rejected == 1
    (reject,) = store.rejects(summary.submission_id)
    assert reject.errors[0]["field"] == "DJ_FDDBRZJHM"
    # the number is not kept even in the quarantined row or its error
    assert "110105194912310021" not in str(reject.raw) + str(reject.errors)
    assert dict(reject.raw)["法定代表人证件号码"] == "（已隐去）"
