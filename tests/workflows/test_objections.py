"""Objections (异议): the record is marked 异议处理中 while pending, everywhere the gate decides;
the department corrects it (a new version through intake, history kept), withdraws it, or
upholds it with reasons; deadlines escalate to the centre."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db.models import departments, records
from gongxin.db.workflow_tables import applications, outbox
from gongxin.errors import Conflict, InvalidInput
from gongxin.records import gate
from gongxin.records.gate import Audience
from gongxin.subjects.profile import visible_records
from gongxin.workflows import deadline_watch
from tests.intake.helpers import Store
from tests.workflows.repair_helpers import COMPANY, add_penalty, decide, file, filing, noon

TODAY = date(2026, 11, 23)


def shown(store: Store, audience: Audience = Audience.PUBLIC) -> dict[str, dict[str, object]]:
    spec = load_catalog().get("penalty")
    with store.engine.connect() as conn:
        found = visible_records(conn, load_catalog(), COMPANY, audience=audience, as_of=TODAY)
    return {
        str(r["data"]["CF_WSH"]): {
            "data": r["data"], "reason": gate.decide(spec, r["data"], audience, TODAY).zh,
            "mark": (r["mark"] or {}).get("zh"),
        }
        for r in found if r["dataset"] == "penalty"
    }  # fmt: skip


def status(store: Store, rid: int) -> str:
    with store.engine.connect() as conn:
        return str(conn.execute(sa.select(records.c.status).where(records.c.id == rid)).scalar())


def test_pending_objection_marks_the_record_and_upheld_lifts_the_mark(store: Store) -> None:
    rid = add_penalty(store, 21, "2026-10-09")  # too young for repair, but open to objection
    filed = file(store, filing(rid, kind="objection", commitment=False), TODAY, [])
    assert filed.number.startswith("YY") and filed.due_on == date(2026, 11, 30)
    assert status(store, rid) == "objection"
    assert shown(store)["京环罚〔2026〕21号"]["mark"] == "异议处理中"
    with pytest.raises(Conflict, match=filed.number):
        file(store, filing(rid, kind="objection"), TODAY, [])
    with pytest.raises(InvalidInput, match="只能是"):
        decide(store, filed.id, "granted", TODAY)
    assert decide(store, filed.id, "upheld", TODAY, reasons="记录与处罚决定书一致。")["state"] == (
        "upheld"
    )
    assert status(store, rid) == "in_force"
    assert shown(store)["京环罚〔2026〕21号"]["mark"] is None
    assert len(store.history(rid)) == 2  # before the mark, with the mark


def test_withdrawn_objection_hides_the_record_from_public_and_departments(store: Store) -> None:
    rid = add_penalty(store, 22, "2026-10-09")
    filed = file(store, filing(rid, kind="objection"), TODAY, [])
    decide(store, filed.id, "withdrawn", TODAY, reasons="处罚决定已被复议撤销。")
    assert "京环罚〔2026〕22号" not in shown(store)
    assert "京环罚〔2026〕22号" not in shown(store, Audience.DEPARTMENT)
    assert "京环罚〔2026〕22号" in shown(store, Audience.CENTRE)
    assert status(store, rid) == "withdrawn"


def test_corrected_objection_stores_a_new_version_through_intake(store: Store) -> None:
    rid = add_penalty(store, 23, "2026-10-09")
    filed = file(store, filing(rid, kind="objection"), TODAY, [])
    with pytest.raises(InvalidInput, match="更正"):
        decide(store, filed.id, "corrected", TODAY)
    with pytest.raises(InvalidInput, match="CF_NR_FK"):  # intake's validator: not a number
        decide(store, filed.id, "corrected", TODAY, corrected={"CF_NR_FK": "很多"})
    decide(store, filed.id, "corrected", TODAY, corrected={"CF_WFXW": "未按规定公示信息"})
    record = shown(store)["京环罚〔2026〕23号"]
    assert record["data"]["CF_WFXW"] == "未按规定公示信息"  # type: ignore[index]
    assert record["mark"] is None
    assert status(store, rid) == "in_force"
    assert store.history(rid)[0]["data"].get("CF_WFXW") == "发布虚假广告"


def test_overdue_objections_escalate_to_the_centre_and_near_ones_remind(store: Store) -> None:
    rid = add_penalty(store, 24, "2026-10-09")
    with store.engine.begin() as conn:
        conn.execute(departments.update().values(notify_email="clerks@env.example.org"))
        conn.execute(
            departments.insert().values(
                name="市信用中心", kind="centre", created_at=noon(TODAY),
                notify_email="centre@credit.example.org",
            )
        )  # fmt: skip
    filed = file(store, filing(rid, kind="objection"), TODAY, [])  # due Mon 30 Nov
    with store.engine.begin() as conn:
        assert deadline_watch.watch(conn, as_of=TODAY, now=noon(TODAY)) == {
            "reminded": 0, "escalated": 0,
        }  # fmt: skip
        near = deadline_watch.watch(conn, as_of=date(2026, 11, 27), now=noon(TODAY))
        assert near == {"reminded": 1, "escalated": 0}
        late = deadline_watch.watch(conn, as_of=date(2026, 12, 1), now=noon(TODAY))
        assert late == {"reminded": 0, "escalated": 1}
        again = deadline_watch.watch(conn, as_of=date(2026, 12, 2), now=noon(TODAY))
        assert again == {"reminded": 0, "escalated": 0}
        flagged = conn.execute(
            sa.select(applications.c.escalated).where(applications.c.id == filed.id)
        ).scalar()
        to = [r.to_addr for r in conn.execute(sa.select(outbox).order_by(outbox.c.id))]
    assert flagged is True
    assert to == ["lisi@example.org", "clerks@env.example.org", "clerks@env.example.org",
                  "centre@credit.example.org"]  # fmt: skip


def test_the_deadline_watch_reads_the_deployments_rules_file(store: Store, tmp_path: Path) -> None:
    """A deployment that reminds ten working days ahead (GONGXIN_WORKFLOW_RULES) gets its
    reminder on the day of filing; the packaged rules (one day ahead) would stay silent."""
    rid = add_penalty(store, 25, "2026-10-09")
    file(store, filing(rid, kind="objection"), TODAY, [])  # due Mon 30 Nov
    packaged = resources.files("gongxin.workflows").joinpath("data/deadlines.yaml")
    own = tmp_path / "deadlines.yaml"
    own.write_text(
        packaged.read_text("utf-8").replace("remind_days: 1", "remind_days: 10"), "utf-8"
    )
    with store.engine.begin() as conn:
        silent = deadline_watch.watch(conn, as_of=TODAY, now=noon(TODAY))
        told = deadline_watch.watch(conn, as_of=TODAY, now=noon(TODAY), rules_path=own)
    assert silent == {"reminded": 0, "escalated": 0}
    assert told == {"reminded": 1, "escalated": 0}
