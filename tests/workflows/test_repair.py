"""Credit repair (信用修复): the checklist, the minimum period per regime, every state, and an
approved repair hiding the record in every channel while the centre keeps its history."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db.models import records
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.exchange import changefeed
from gongxin.exchange.grants import Access
from gongxin.opendata.downloads import csv_chunks, public_records
from gongxin.records.gate import Audience
from gongxin.reports import content
from gongxin.subjects.profile import visible_records
from gongxin.workflows.attachments import Upload
from tests.intake.helpers import Store
from tests.workflows.repair_helpers import (
    COMPANY,
    add_penalty,
    decide,
    file,
    filing,
    lookup,
    noon,
)

TODAY = date(2026, 11, 23)  # a Monday


def public_numbers(store: Store, as_of: date = TODAY) -> list[str]:
    with store.engine.connect() as conn:
        shown = visible_records(conn, load_catalog(), COMPANY, audience=Audience.PUBLIC,
                                as_of=as_of)  # fmt: skip
    return [r["data"]["CF_WSH"] for r in shown if r["dataset"] == "penalty"]


def test_granted_repair_hides_the_record_everywhere_but_the_centre(store: Store) -> None:
    rid = add_penalty(store, 7, "2026-05-06")  # ORDER36, 一般: repair from 2026-08-06
    assert public_numbers(store) == ["京环罚〔2026〕7号"]
    filed = file(store, filing(rid), TODAY)
    assert len(filed.code) >= 32
    assert filed.due_on == date(2026, 11, 26)  # 3 working days
    assert lookup(store, filed.code)["state"] == "received"
    result = decide(store, filed.id, "granted", TODAY)
    assert (result["state"], result["decided_on"]) == ("granted", TODAY)
    # portal subject page, the API and the PDF report read the same public records
    assert public_numbers(store) == []
    assert public_numbers(store, date(2026, 11, 22)) == ["京环罚〔2026〕7号"]  # before the date
    with store.engine.connect() as conn:
        report = content.build(conn, load_catalog(), COMPANY, TODAY)
    assert all(not s.items for s in report.sections if s.dataset == "penalty")
    spec = load_catalog().get("penalty")
    csv = b"".join(csv_chunks(public_records(store.engine, spec, TODAY), spec)).decode()
    assert "京环罚〔2026〕7号" not in csv
    # the change feed tells departments: a repair event with the day
    with store.engine.begin() as conn:
        page = changefeed.read(
            conn, Access(spec, None, "centre", None), None, 100, TODAY, secret=b"s" * 32
        )
    repair = [c for c in page.changes if c.record_id == rid and c.op == "repair"]
    assert (
        len(repair) == 1 and repair[0].ends_on == TODAY and "信用修复" in (repair[0].reason or "")
    )
    # the centre still sees the record and its history: nothing deleted
    with store.engine.connect() as conn:
        centre = visible_records(conn, load_catalog(), COMPANY, audience=Audience.CENTRE,
                                 as_of=TODAY)  # fmt: skip
        status = conn.execute(sa.select(records.c.status).where(records.c.id == rid)).scalar()
    assert [r["data"]["CF_WSH"] for r in centre if r["dataset"] == "penalty"] == [
        "京环罚〔2026〕7号"
    ]
    assert status == "repaired"
    assert len(store.history(rid)) == 1
    assert lookup(store, filed.code)["state_zh"] == "准予修复"
    # a later correction by the provider keeps the repair: still out of public view
    assert add_penalty(store, 7, "2026-05-06", CF_WFXW="未按规定公示信息") == rid
    assert public_numbers(store) == []
    assert store.record(id=rid)["status"] == "repaired"
    assert store.record(id=rid)["data"]["CF_WFXW"] == "未按规定公示信息"


@pytest.mark.parametrize(
    ("decided", "severity", "applied", "since", "regime"),
    [
        ("2025-03-10", "严重", date(2025, 5, 1), date(2025, 6, 10), "NDRC_2023"),  # flat 3 months
        ("2025-08-01", "严重", date(2026, 5, 1), date(2026, 8, 1), "GB2025"),  # 严重: 12 months
        ("2026-05-06", "一般", date(2026, 7, 1), date(2026, 8, 6), "ORDER36"),  # 一般: 3 months
    ],
)
def test_repair_within_the_minimum_period_is_refused_with_the_rule_and_date(
    store: Store, decided: str, severity: str, applied: date, since: date, regime: str
) -> None:
    rid = add_penalty(store, 8, decided, CF_YZCD=severity)
    with pytest.raises(InvalidInput) as refused:
        file(store, filing(rid), applied)
    assert refused.value.details["rule"] == "min_period"
    assert refused.value.details["from"] == since.isoformat()
    assert regime in refused.value.zh and since.isoformat() in refused.value.zh
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM applications").scalar() == 0
    # from that day on it may be filed
    assert file(store, filing(rid), since).number.startswith("XF")


def test_checklist_names_everything_missing_and_nothing_is_half_saved(store: Store) -> None:
    rid = add_penalty(store, 9, "2026-05-06", CF_YZCD="严重")  # ORDER36 严重: 12 months
    with pytest.raises(InvalidInput) as refused:
        file(store, filing(rid, commitment=False, fulfilled=False, training=False), TODAY, [])
    message = refused.value.zh
    for item in ("最短公示期", "信用修复承诺书", "履行法定义务", "专题培训或信用报告"):
        assert item in message
    # a bad attachment: judged by content, not by name
    with pytest.raises(InvalidInput, match="不是 PDF、JPG 或 PNG"):
        file(store, filing(rid), date(2027, 5, 6), [Upload("fake.pdf", b"MZ\x90\x00exe")])
    with pytest.raises(InvalidInput, match="过大"):
        file(store, filing(rid), date(2027, 5, 6), [Upload("big.pdf", b"%PDF-" + b"0" * 200_000)])
    with pytest.raises(InvalidInput, match="附件过多"):
        file(
            store, filing(rid), date(2027, 5, 6), [Upload(f"{n}.pdf", b"%PDF-1") for n in range(4)]
        )
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM applications").scalar() == 0
    assert not (store.folder / "var" / "attachments").exists()


def test_duplicates_wrong_subject_and_state_transitions(store: Store) -> None:
    rid = add_penalty(store, 10, "2026-05-06")
    with pytest.raises(Forbidden, match="主体代码"):
        file(store, filing(rid, subject_code="91110108MA00000000"), TODAY)
    first = file(store, filing(rid), TODAY)
    with pytest.raises(Conflict) as dup:
        file(store, filing(rid), TODAY)
    assert first.number in dup.value.zh
    with pytest.raises(InvalidInput, match="只能是"):
        decide(store, first.id, "upheld", TODAY)
    with pytest.raises(Forbidden):
        decide(store, first.id, "granted", TODAY, department_id=9999)
    with pytest.raises(InvalidInput, match="理由"):
        decide(store, first.id, "refused", TODAY, reasons="  ")
    assert decide(store, first.id, "refused", TODAY, reasons="罚款未缴清。")["state"] == "refused"
    assert public_numbers(store) == ["京环罚〔2026〕10号"]  # refused: still public
    with pytest.raises(Conflict, match="已办结"):
        decide(store, first.id, "granted", TODAY)
    returned = file(store, filing(rid), TODAY)  # refused, so a new one may be filed
    assert decide(store, returned.id, "returned", TODAY, reasons="缺承诺书原件")["state"] == (
        "returned"
    )
    again = file(store, filing(rid), TODAY)
    assert decide(store, again.id, "granted", TODAY)["state"] == "granted"
    assert public_numbers(store) == []
    with pytest.raises(NotFound):  # no longer public: nothing left to file against
        file(store, filing(rid), TODAY)


def test_query_codes_are_random_and_unknown_ones_reveal_nothing(store: Store) -> None:
    rid = add_penalty(store, 11, "2026-05-06")
    filed = file(store, filing(rid), TODAY)
    with pytest.raises(NotFound):
        lookup(store, filed.code[:-1] + ("A" if filed.code[-1] != "A" else "B"))
    with pytest.raises(NotFound):
        lookup(store, "' OR 1=1 --")
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT code_hash FROM applications").scalar()
    assert filed.code not in str(stored)


def test_deadlines_count_working_days_with_tiaoxiu(store: Store) -> None:
    rid = add_penalty(store, 12, "2026-05-06")
    # filed on 30 Sep 2026: 1–7 Oct is the National Day holiday, Sat 10 Oct is worked
    filed = file(store, filing(rid), date(2026, 9, 30))
    assert filed.due_on == date(2026, 10, 10)  # 8, 9, 10 Oct
    objection = file(store, filing(rid, kind="objection"), date(2026, 9, 30))
    assert objection.due_on == date(2026, 10, 13)  # 5 working days: 8, 9, 10, 12, 13 Oct
    assert noon(TODAY).tzinfo is not None
