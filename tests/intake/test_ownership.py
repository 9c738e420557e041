"""Record ownership: what one department sends never changes another department's record.

Every record belongs to the department that submitted it. Here 市市场监督管理局 (the provider)
and 市税务局 are both allowed to file for the test authorities, so only ownership stands between
them; the authority check is tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.catalog import providers
from gongxin.db.engine import make_engine
from gongxin.db.models import departments as departments_table
from gongxin.db.models import records
from gongxin.errors import Forbidden
from gongxin.identity import authorities
from gongxin.intake.pipeline import Summary
from tests.intake.helpers import (
    AS_OF,
    AUTHORITY,
    AUTHORITY_USCC,
    PENALTY_COLUMNS,
    PROVIDER,
    Store,
    assert_reconciles,
    catalog,
    make_uscc,
    penalty_row,
    prepare,
    registration_row,
    write_csv,
    write_registrations,
)

OTHER = "市税务局"
COURT = "市中级人民法院"
COURT_NAME = "北京市第三中级人民法院"
COLUMNS = [*PENALTY_COLUMNS, "CF_ZT"]


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(db_url)
    try:
        prepare(engine, (PROVIDER, "provider"), (OTHER, "provider"), (COURT, "provider"))
        with engine.begin() as conn:
            authorities.add(conn, COURT, [COURT_NAME], now=AS_OF)
        yield Store(engine, tmp_path)
    finally:
        engine.dispose()


def _penalties(store: Store, name: str, *rows: dict[str, str], by: str) -> Summary:
    path = store.penalties(name, list(rows), columns=COLUMNS)
    summary = store.ingest(path, provider=by)
    assert_reconciles(summary)
    return summary


def _rows(store: Store, dataset: str, name: str, rows: list[Mapping[str, str]], by: str) -> Any:
    headers = list(rows[0])
    path = write_csv(store.folder / name, headers, ([r.get(h, "") for h in headers] for r in rows))
    summary = store.ingest(path, dataset=dataset, provider=by)
    assert_reconciles(summary)
    return summary


def _owner(store: Store, record: dict[str, Any]) -> str:
    with store.engine.connect() as conn:
        query = sa.select(departments_table.c.name).where(
            departments_table.c.id == record["department_id"]
        )
        return str(conn.execute(query).scalar_one())


def _debtor(n: int, **values: str) -> dict[str, str]:
    row = {
        "MD_ZTMC": f"北京测试{n}商贸有限公司",
        "MD_ZTLB": "法人及非法人组织",
        "MD_TYSHXYDM": make_uscc(n),
        "MD_FDDBR": "张三",
        "MD_AH": f"（2024）京0108执{n}号",
        "MD_ZXYJWH": f"（2023）京0108民初{n}号",
        "MD_ZCZXYJDW": "北京市海淀区人民法院",
        "MD_YW": "支付货款人民币十万元",
        "MD_LXQK": "全部未履行",
        "MD_LRYY": "有履行能力而拒不履行生效法律文书确定义务",
        "MD_RDYJ": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "MD_RDJG": COURT_NAME,
        "MD_RDJGDM": AUTHORITY_USCC,
        "MD_LRRQ": "2024-03-01",
        "MD_SJYCRQ": "",
        "MD_YCYY": "",
    }
    row.update(values)
    return row


def _red(n: int, **values: str) -> dict[str, str]:
    row = {
        "MD_ZTMC": f"北京测试{n}商贸有限公司",
        "MD_ZTLB": "法人及非法人组织",
        "MD_TYSHXYDM": make_uscc(n),
        "MD_MDLX": "纳税信用A级纳税人",
        "MD_RDJG": AUTHORITY,
        "MD_RDJGDM": AUTHORITY_USCC,
        "MD_LRRQ": "2024-04-01",
        "MD_LRYY": "年度纳税信用评价为A级",
        "MD_RDYJ": "《纳税信用管理办法（试行）》",
    }
    row.update(values)
    return row


def test_another_department_cannot_withdraw_or_alter_a_penalty(store: Store) -> None:
    _penalties(store, "own.csv", penalty_row(1, CF_ZT="正常"), by=PROVIDER)
    before = store.record(dataset="penalty")

    summary = _penalties(
        store, "hostile.csv", penalty_row(1, CF_ZT="撤销", CF_NR="不予处罚"), by=OTHER
    )
    assert (summary.rows, summary.accepted, summary.updated, summary.rejected) == (1, 0, 0, 1)
    after = store.record(dataset="penalty")
    assert after["version"] == 1 and after["data"] == before["data"]
    assert after["data"]["CF_ZT"] == "正常" and _owner(store, after) == PROVIDER
    assert store.history(after["id"]) == []

    (reject,) = store.rejects(summary.submission_id)
    (error,) = reject.errors
    assert reject.row_no == 2 and error["rule"] == "owned_by_other"
    assert error["field"] == "CF_WSH" and error["value"] == "京海市监罚〔2024〕1号"
    assert f"属于 {PROVIDER}" in error["zh"] and f"请联系 {PROVIDER} 更正" in error["zh"]
    assert f"owned by {PROVIDER}" in error["en"]


def test_the_owner_still_corrects_its_own_record(store: Store) -> None:
    _penalties(store, "own.csv", penalty_row(1, CF_ZT="正常"), by=PROVIDER)
    summary = _penalties(store, "fix.csv", penalty_row(1, CF_ZT="撤销"), by=PROVIDER)
    assert (summary.accepted, summary.updated, summary.rejected) == (0, 1, 0)
    record = store.record(dataset="penalty")
    assert record["version"] == 2 and record["data"]["CF_ZT"] == "撤销"
    assert [h["data"]["CF_ZT"] for h in store.history(record["id"])] == ["正常"]


def test_another_department_cannot_take_a_debtor_off_the_list(store: Store) -> None:
    listed = _rows(store, "dishonest_debtor", "listed.csv", [_debtor(3)], COURT)
    assert listed.accepted == 1
    removal = _debtor(3, MD_SJYCRQ="2024-06-01", MD_YCYY="已履行完毕")
    # the tax office may file for the court's name too here: ownership alone must stop it
    with store.engine.begin() as conn:
        authorities.add(conn, OTHER, [COURT_NAME], now=AS_OF)
    summary = _rows(store, "dishonest_debtor", "off.csv", [removal], OTHER)
    assert (summary.updated, summary.rejected) == (0, 1)
    record = store.record(dataset="dishonest_debtor")
    assert not record["data"].get("MD_SJYCRQ") and record["version"] == 1
    (reject,) = store.rejects(summary.submission_id)
    assert reject.rules == {"owned_by_other"} and COURT in reject.errors[0]["zh"]

    done = _rows(store, "dishonest_debtor", "court-off.csv", [removal], COURT)
    assert done.updated == 1  # the court itself removes it
    assert store.record(dataset="dishonest_debtor")["data"]["MD_SJYCRQ"] == "2024-06-01"


def test_only_the_assigned_department_writes_the_register(store: Store) -> None:
    path = store.folder / "reg.csv"
    write_registrations(path, [registration_row(5)])
    assert store.ingest(path, dataset="registration", provider=PROVIDER).accepted == 1
    code = make_uscc(5)
    renamed = write_registrations(
        store.folder / "rename.csv", [registration_row(5, 企业名称="改名公司")]
    )
    with pytest.raises(Forbidden) as refused:
        store.ingest(renamed, dataset="registration", provider=OTHER)
    assert PROVIDER in refused.value.zh and OTHER in refused.value.zh
    assert refused.value.details["rule"] == "assigned_writers"
    assert store.subject(uscc=code)["name"] == "北京测试5商贸有限公司"
    assert store.count("submissions") == 1  # nothing of the refused file was kept

    # even a second assigned writer cannot rename the first one's subject record
    with store.engine.begin() as conn:
        providers.assign(conn, catalog(), "registration", OTHER, now=AS_OF)
    summary = store.ingest(renamed, dataset="registration", provider=OTHER)
    assert (summary.accepted, summary.updated, summary.rejected) == (0, 0, 1)
    assert store.subject(uscc=code)["name"] == "北京测试5商贸有限公司"


def test_a_row_in_another_authoritys_name_is_rejected(store: Store) -> None:
    stranger = "北京市丰台区卫生健康委员会"
    summary = _penalties(
        store, "claim.csv", penalty_row(1), penalty_row(2, CF_CFJG=stranger), by=PROVIDER
    )
    assert (summary.rows, summary.accepted, summary.rejected) == (2, 1, 1)
    (reject,) = store.rejects(summary.submission_id)
    (error,) = reject.errors
    assert reject.row_no == 3 and error["rule"] == "authority_not_filer"
    assert error["field"] == "CF_CFJG" and error["value"] == stranger
    assert "处罚机关" in error["zh"] and PROVIDER in error["zh"] and "authorised" in error["en"]

    with store.engine.begin() as conn:  # once the centre authorises it, the row is taken
        authorities.add(conn, PROVIDER, [stranger], now=AS_OF)
    again = _penalties(store, "claim2.csv", penalty_row(2, CF_CFJG=stranger), by=PROVIDER)
    assert again.accepted == 1


def test_shared_records_keep_one_record_per_department(store: Store) -> None:
    assert catalog().get("red_list").shared_records is True
    first = _rows(store, "red_list", "a.csv", [_red(7)], PROVIDER)
    second = _rows(store, "red_list", "b.csv", [_red(7)], OTHER)
    assert (first.accepted, second.accepted, second.rejected) == (1, 1, 0)
    found = store.records("red_list")
    assert len(found) == 2 and found[0]["dedupe_key"] == found[1]["dedupe_key"]
    assert sorted(_owner(store, r) for r in found) == sorted([PROVIDER, OTHER])

    fix = _rows(store, "red_list", "c.csv", [_red(7, MD_LRYY="连续三年A级")], OTHER)
    assert fix.updated == 1  # its own record only
    by_owner = {_owner(store, r): r for r in store.records("red_list")}
    assert by_owner[OTHER]["data"]["MD_LRYY"] == "连续三年A级"
    assert by_owner[PROVIDER]["data"]["MD_LRYY"] == "年度纳税信用评价为A级"
    assert by_owner[PROVIDER]["version"] == 1


def test_records_carry_their_owner(store: Store) -> None:
    _penalties(store, "a.csv", penalty_row(1), by=PROVIDER)
    _penalties(store, "b.csv", penalty_row(2), by=OTHER)
    with store.engine.connect() as conn:
        owners = conn.execute(
            sa.select(records.c.row_no, departments_table.c.name)
            .join(departments_table, departments_table.c.id == records.c.department_id)
            .order_by(departments_table.c.name)
        ).all()
    assert sorted(name for _, name in owners) == sorted([PROVIDER, OTHER])
