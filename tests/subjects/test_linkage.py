"""Penalties link to subjects by USCC, registration number, organisation code or the organisation
code inside a USCC; the rest wait as unlinked until their subject's registration arrives."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongxin.ids import ric
from gongxin.subjects import linkage
from tests.intake.helpers import (
    PENALTY,
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_registrations,
)

REG_NO = "110108000000016"
STRANGER = make_uscc(900)  # valid, but nobody registered it
RESIDENT = "11010819900307123" + ric.calc_check_digit("11010819900307123")


def register(store: Store, name: str, rows: list[dict[str, str]]) -> int:
    summary = store.ingest(write_registrations(store.folder / name, rows), dataset="registration")
    assert summary.rejected == 0
    return summary.relinked


@pytest.fixture
def registered(store: Store) -> Store:
    register(
        store,
        "reg.csv",
        [
            registration_row(1),
            registration_row(2, 统一社会信用代码=REG_NO, 企业名称="北京老字号店"),
            registration_row(3),
            registration_row(4),
        ],
    )
    return store


def penalties(store: Store, name: str, rows: list[dict[str, str]]) -> Path:
    return store.penalties(name, rows, columns=list(PENALTY))


def subject_of(store: Store, wsh_number: int) -> int | None:
    (record,) = [r for r in store.records() if r["data"]["CF_WSH"].endswith(f"〕{wsh_number}号")]
    return record["subject_id"]


def test_penalties_link_by_each_kind_of_code(registered: Store) -> None:
    store = registered
    rows = [
        penalty_row(1),  # by its USCC
        penalty_row(2, CF_XDR_SHXYM=make_uscc(901), CF_XDR_GSZC=REG_NO),  # by registration no.
        penalty_row(3, CF_XDR_SHXYM=make_uscc(902), CF_XDR_ZZJG=make_uscc(3)[8:17]),  # org code
        penalty_row(4, CF_XDR_SHXYM=make_uscc(4, prefix="92110105")),  # org code inside USCC
    ]
    summary = store.ingest(penalties(store, "p.csv", rows))
    assert (summary.accepted, summary.rejected, summary.unlinked) == (4, 0, 0)
    assert subject_of(store, 1) == store.subject(uscc=make_uscc(1))["id"]
    assert subject_of(store, 2) == store.subject(reg_no=REG_NO)["id"]
    assert subject_of(store, 3) == store.subject(uscc=make_uscc(3))["id"]
    assert subject_of(store, 4) == store.subject(uscc=make_uscc(4))["id"]
    with store.engine.connect() as conn:
        assert linkage.list_unlinked(conn) == []


def test_the_uscc_wins_over_other_codes(registered: Store) -> None:
    store = registered
    row = penalty_row(1, CF_XDR_GSZC=REG_NO, CF_XDR_ZZJG=make_uscc(3)[8:17])
    store.ingest(penalties(store, "p.csv", [row]))
    assert subject_of(store, 1) == store.subject(uscc=make_uscc(1))["id"]


def test_an_unknown_subject_waits_and_links_when_registered(registered: Store) -> None:
    store = registered
    person = penalty_row(
        8,
        CF_XDR_MC="王某某",
        CF_XDR_LB="自然人",
        CF_XDR_SHXYM="",
        CF_FRDB="",
        CF_XDR_ZJLX="身份证",
        CF_XDR_ZJHM=RESIDENT,
    )
    rows = [penalty_row(1), penalty_row(7, CF_XDR_SHXYM=STRANGER, CF_XDR_MC="无名贸易有限公司")]
    summary = store.ingest(
        store.penalties("p.csv", [*rows, person], columns=[*PENALTY, "CF_XDR_ZJLX", "CF_XDR_ZJHM"])
    )
    assert (summary.accepted, summary.rejected, summary.unlinked) == (3, 0, 1)
    with store.engine.connect() as conn:
        waiting = linkage.list_unlinked(conn)
        assert linkage.count_unlinked(conn, "penalty") == 1
    (item,) = waiting
    assert (item.subject_name, item.link_code, item.dataset) == (
        "无名贸易有限公司",
        STRANGER,
        "penalty",
    )
    assert (item.submission_id, item.row_no) == (summary.submission_id, 3)
    assert subject_of(store, 7) is None

    relinked = register(
        store,
        "late.csv",
        [registration_row(7, 统一社会信用代码=STRANGER, 企业名称="无名贸易有限公司")],
    )
    assert relinked >= 1
    assert subject_of(store, 7) == store.subject(uscc=STRANGER)["id"]
    with store.engine.connect() as conn:
        assert linkage.list_unlinked(conn) == []
        assert linkage.count_unlinked(conn) == 0


# (the waiting penalty's codes, the code of the registration that arrives later)
LATE = {
    "same-uscc": ({}, STRANGER),
    "embedded-org-code": ({}, make_uscc(900, prefix="91110105")),  # same org code inside
    "registration-no": ({"CF_XDR_GSZC": REG_NO}, REG_NO),
    "org-code": ({"CF_XDR_ZZJG": make_uscc(905)[8:17]}, make_uscc(905)),
}


@pytest.mark.parametrize("case", LATE)
def test_a_waiting_penalty_links_by_any_code_when_its_subject_registers(
    store: Store, case: str
) -> None:
    """A late registration links what the same registration, had it come first, would have."""
    codes, later = LATE[case]
    summary = store.ingest(
        penalties(store, "p.csv", [penalty_row(5, CF_XDR_SHXYM=STRANGER, **codes)])
    )
    assert summary.unlinked == 1
    assert subject_of(store, 5) is None
    relinked = register(store, "late.csv", [registration_row(5, 统一社会信用代码=later)])
    subject = store.subject(reg_no=later) if later == REG_NO else store.subject(uscc=later)
    assert subject_of(store, 5) == subject["id"]
    assert relinked == 1


def test_unlinked_penalties_are_listed_per_dataset(store: Store) -> None:
    summary = store.ingest(penalties(store, "p.csv", [penalty_row(n) for n in range(1, 4)]))
    assert summary.unlinked == 3
    with store.engine.connect() as conn:
        assert linkage.count_unlinked(conn, "penalty") == 3
        assert linkage.count_unlinked(conn, "registration") == 0
        page = linkage.list_unlinked(conn, "penalty", limit=2, offset=1)
    assert [u.row_no for u in page] == [3, 4]
