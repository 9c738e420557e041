"""Conditional sharing: request → approval → access limited to the granted fields → expiry;
refusals with reasons; deadlines in statutory working days (调休 included)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gongxin.audit import log as audit
from gongxin.catalog import providers
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.exchange import grants, sharing_requests
from gongxin.exchange.exchange_view import read_records
from tests.exchange.sharing import ASKED, BASIS, OTHER, TODAY, World, moment, open_world, row
from tests.intake.helpers import PROVIDER


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    yield from open_world(db_url, tmp_path)


def ask(w: World, day: date = TODAY, **kwargs: object) -> sharing_requests.Request:
    params: dict[str, object] = {
        "dataset": "penalty",
        "purpose": "政府采购供应商资格审查",
        "fields": ASKED,
        "period_start": day,
        "period_end": date(day.year, 12, 31),
    } | kwargs
    with w.engine.begin() as conn:
        return sharing_requests.submit(
            conn,
            w.catalog,
            w.user,
            now=moment(day),
            reply_days=10,
            actor="key:user0001",
            **params,  # type: ignore[arg-type]
        )


def read(w: World, day: date) -> dict[str, object]:
    with w.engine.begin() as conn:
        return read_records(
            conn,
            w.catalog,
            w.caller(w.user),
            "penalty",
            page=1,
            size=100,
            since=None,
            until=None,
            now=moment(day),
        )


def test_request_approval_access_and_expiry(world: World) -> None:
    world.penalties("p.csv", row(1, CF_FRDB="王五"), row(2))
    with pytest.raises(Forbidden) as refused:
        read(world, TODAY)
    assert "POST /api/v1/exchange/requests" in refused.value.zh

    filed = ask(world)
    assert filed.to_dict(TODAY)["status"] == "pending"
    with world.engine.begin() as conn:
        with pytest.raises(Forbidden):  # another provider cannot answer for this dataset
            sharing_requests.approve(conn, filed.id, world.other, now=moment(TODAY), actor="x")
        done = sharing_requests.approve(
            conn, filed.id, world.provider, now=moment(TODAY), actor="key:prov0001"
        )
    assert done.stored_status == "approved" and done.grant_id is not None

    page = read(world, TODAY)
    items = page["items"]
    assert isinstance(items, list) and len(items) == 2
    assert {tuple(sorted(i["data"])) for i in items} == {tuple(sorted(ASKED))}  # fields cut
    assert "CF_FRDB" not in str(items)  # the legal representative was not asked for

    with world.engine.connect() as conn:
        last = audit.entries(conn, action="exchange.read", newest_first=True, limit=1)[0]
    assert last.purpose == "政府采购供应商资格审查"  # the grant's purpose by default
    assert last.detail["rows"] == 2 and last.actor == "key:" + f"{world.user.id:08d}"

    assert read(world, date(2026, 12, 31))["items"]  # the last day of the period still works
    with pytest.raises(Forbidden):
        read(world, date(2027, 1, 1))
    with world.engine.connect() as conn:
        assert sharing_requests.get(conn, filed.id).status(date(2027, 1, 1)) == "expired"


def test_revoked_grant_stops_at_once(world: World) -> None:
    filed = ask(world)
    with world.engine.begin() as conn:
        done = sharing_requests.approve(conn, filed.id, world.centre, now=moment(TODAY), actor="c")
        assert done.grant_id is not None
        grants.revoke(conn, done.grant_id, now=moment(TODAY))
    with pytest.raises(Forbidden):
        read(world, TODAY)


def test_refusal_needs_reasons_and_grants_nothing(world: World) -> None:
    world.penalties("p.csv", row(1))
    filed = ask(world)
    with world.engine.begin() as conn:
        with pytest.raises(InvalidInput):
            sharing_requests.refuse(
                conn, filed.id, world.provider, reasons="  ", now=moment(TODAY), actor="p"
            )
        done = sharing_requests.refuse(
            conn,
            filed.id,
            world.provider,
            reasons="申请用途与所需字段不对应",
            now=moment(TODAY),
            actor="p",
        )
        with pytest.raises(Conflict):
            sharing_requests.approve(conn, filed.id, world.provider, now=moment(TODAY), actor="p")
    assert done.to_dict(TODAY)["reasons"] == "申请用途与所需字段不对应"
    assert done.grant_id is None
    with pytest.raises(Forbidden):
        read(world, TODAY)


def test_deadline_counts_statutory_working_days_and_flags_overdue(world: World) -> None:
    # Friday 26 Sep 2025: the National Day holiday (1–8 Oct) lies ahead, with the make-up
    # working days Sunday 28 Sep and Saturday 11 Oct.
    with world.engine.begin() as conn:  # the centre hands the dataset to another provider
        providers.unassign(conn, "penalty", PROVIDER, now=moment(TODAY))
        providers.assign(conn, world.catalog, "penalty", OTHER, now=moment(TODAY))
    filed = ask(world, date(2025, 9, 26))
    assert filed.deadline == date(2025, 10, 16)
    assert not filed.overdue(date(2025, 10, 16))
    assert filed.overdue(date(2025, 10, 17))
    listed = [r.to_dict(date(2025, 10, 17)) for r in _to_decide(world)]
    assert listed[0]["overdue"] is True
    with world.engine.connect() as conn:  # only the assigned provider, not the submitter
        assert [p.name for p in providers.providers_of(conn, "penalty")] == [OTHER]


def _to_decide(w: World) -> list[sharing_requests.Request]:
    with w.engine.connect() as conn:
        return sharing_requests.listing(conn, w.catalog, w.other, "to_decide")


def test_bad_requests(world: World) -> None:
    with pytest.raises(InvalidInput) as unknown:
        ask(world, fields=["CF_WSH", "NO_SUCH", "ALSO_NOT"])
    assert "NO_SUCH" in unknown.value.zh and "ALSO_NOT" in unknown.value.zh
    with pytest.raises(InvalidInput) as not_shared:
        ask(world, dataset="tax_violation", fields=["X"])
    assert "不予共享" in not_shared.value.zh
    assert BASIS in not_shared.value.zh
    with pytest.raises(InvalidInput) as free:
        ask(world, dataset="licence", fields=["X"])
    assert "无需申请" in free.value.zh
    with pytest.raises(NotFound) as missing:
        ask(world, dataset="no_such_dataset")
    assert "no_such_dataset" in missing.value.zh
    with pytest.raises(InvalidInput):
        ask(world, period_start=date(2026, 12, 1), period_end=date(2026, 11, 30))


def test_unconditional_data_needs_no_request(world: World) -> None:
    with world.engine.connect() as conn:
        access = grants.access(conn, world.catalog, world.user, "licence", TODAY)
        assert access.fields is None and access.basis == "unconditional"
        with pytest.raises(Forbidden) as denied:
            grants.access(conn, world.catalog, world.user, "tax_violation", TODAY)
    assert "不予共享" in denied.value.zh
