"""Records without a usable code are linked to subjects by the Splink model: near-duplicates
link automatically, middling ones go to the review queue with what agreed and disagreed, the
rest stay 待关联; decisions refuse stale forms, and a wrong link can be undone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gongxin.audit import log as audit
from gongxin.errors import Conflict
from gongxin.supervision import matches
from gongxin.supervision.linkage import link_waiting
from gongxin.supervision.model import InvalidModel, load_model
from tests.intake.helpers import (
    Store,
    catalog,
    make_regno,
    registration_row,
    write_csv,
    write_registrations,
)
from tests.intake.test_pipeline_files import LEGACY_HEADERS

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
EXACT = "北京华夏星辰商贸 有限责任公司"
NAMES = {
    1: "北京华夏星辰商贸有限公司",
    2: "北京远山电子科技有限公司",
    3: "北京远山电子信息有限公司",
}


@pytest.fixture
def waiting(store: Store) -> Store:
    regs = [registration_row(n, 企业名称=name, 法人代表=f"代表{n}") for n, name in NAMES.items()]
    path = write_registrations(store.folder / "reg.csv", regs)
    assert store.ingest(path, dataset="registration").rejected == 0
    rows = [
        # legal-form spelling and a space: the same normalised name
        legacy_penalty(1, EXACT, "代表1"),
        # a longer variant, same legal representative: similar, not certain → review
        legacy_penalty(2, "北京远山电子工程技术有限公司", "代表2"),
        # one character off (names are unique in a register): linked
        legacy_penalty(4, "北京华夏星晨商贸有限公司", ""),
        # nobody like it
        legacy_penalty(3, "上海无关餐饮管理有限公司", "王五"),
    ]
    values = [[r.get(h, "") for h in LEGACY_HEADERS] for r in rows]
    summary = store.ingest(write_csv(store.folder / "2016.csv", LEGACY_HEADERS, values))
    assert (summary.accepted, summary.unlinked) == (4, 4), store.rejects(summary.submission_id)
    return store


def legacy_penalty(n: int, name: str, legal_rep: str) -> dict[str, str]:
    """A 2016-layout penalty naming its counterpart by name and an unregistered 注册号 only."""
    return {
        "行政处罚决定书文号": f"京海工商罚字〔2016〕{n}号",
        "处罚类别1": "罚款",
        "处罚事由": "发布虚假广告",
        "处罚依据": "《广告法》",
        "行政相对人名称": name,
        "行政相对人代码_3（工商登记码）": make_regno(700 + n),
        "法定代表人姓名": legal_rep,
        "处罚结果": "罚款1万元",
        "处罚决定日期": "2016/05/04",
        "处罚机关": "北京市海淀区工商行政管理局",
        "地方编码": "110108",
    }


def record_subject(store: Store, n: int) -> int | None:
    (record,) = [r for r in store.records() if r["data"]["CF_WSH"].endswith(f"〕{n}号")]
    return record["subject_id"]


def run(store: Store) -> tuple[int, int, int, int]:
    with store.engine.begin() as conn:
        s = link_waiting(conn, catalog(), load_model(), NOW)
    return (s.considered, s.linked, s.review, s.unmatched)


def test_near_duplicates_link_middling_ones_wait_for_review(waiting: Store) -> None:
    store = waiting
    assert run(store) == (4, 2, 1, 1)
    assert record_subject(store, 1) == store.subject(name=NAMES[1])["id"]
    assert record_subject(store, 4) == store.subject(name=NAMES[1])["id"]
    assert record_subject(store, 2) is None and record_subject(store, 3) is None
    with store.engine.connect() as conn:
        linked, _ = matches.list_matches(conn, "linked")
        (queued,) = matches.list_matches(conn, "review")
    assert linked.method == "splink" and linked.probability is not None
    assert linked.probability >= 0.98
    assert "名称（规范化）" in linked.explanation["agreed"]
    assert queued.subject_name == NAMES[2]
    assert 0.5 <= (queued.probability or 0) < 0.98
    levels = {c["field"]: c["level"] for c in queued.explanation["comparisons"]}
    assert (levels["name_norm"], levels["legal_rep"]) == ("相似", "一致")
    assert queued.explanation["agreed"] == ["名称（规范化）", "法定代表人"]
    # a second run proposes nothing new for records already linked or queued
    assert run(store) == (1, 0, 0, 1)


def test_confirm_links_and_a_stale_form_is_refused(waiting: Store) -> None:
    store = waiting
    run(store)
    with store.engine.begin() as conn:
        (queued,) = matches.list_matches(conn, "review")
        done = matches.decide(
            conn, queued.id, "confirm", revision=queued.revision, actor="centre", now=NOW
        )
    assert done.status == "linked" and done.revision == queued.revision + 1
    assert record_subject(store, 2) == queued.subject_id
    with store.engine.begin() as conn, pytest.raises(Conflict):
        matches.decide(
            conn,
            queued.id,
            "reject",
            revision=queued.revision,
            actor="x",
            now=NOW,
            reason="不是同一家",
        )


def test_undo_unlinks_and_the_pair_is_not_proposed_again(waiting: Store) -> None:
    store = waiting
    run(store)
    with store.engine.begin() as conn:
        (linked,) = [m for m in matches.list_matches(conn, "linked") if m.record_name == EXACT]
        matches.undo(
            conn,
            linked.id,
            revision=linked.revision,
            actor="centre",
            now=NOW,
            reason="同名不同主体",
        )
    assert record_subject(store, 1) is None
    with store.engine.connect() as conn:
        (entry,) = [e for e in audit.entries(conn) if e.target == f"match:{linked.id}"]
    assert entry.action == "linkage.match.undo" and entry.detail["reason"] == "同名不同主体"
    assert run(store) == (2, 0, 0, 2)  # 11 back in the pool, its rejected pair closed
    assert record_subject(store, 1) is None
    with store.engine.begin() as conn:
        (queued,) = matches.list_matches(conn, "review")
        matches.decide(
            conn,
            queued.id,
            "reject",
            revision=queued.revision,
            actor="c",
            now=NOW,
            reason="不同企业",
        )
        assert matches.list_matches(conn, "review") == []


def test_a_model_file_with_an_unknown_key_is_refused_naming_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "model.yaml"
    text = Path(load_model.__code__.co_filename).with_name("linkage_model.yaml").read_text("utf-8")
    bad.write_text(text.replace("thresholds:", "threshold_typo: 1\nthresholds:"), "utf-8")
    with pytest.raises(InvalidModel) as caught:
        load_model(bad)
    assert caught.value.details["file"] == str(bad)
    assert caught.value.details["key"] == "threshold_typo"
