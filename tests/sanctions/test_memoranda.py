"""Memoranda as data: the starter set, strict validation, loading and superseding versions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from gongxin.db.sanctions_tables import memoranda as table
from gongxin.errors import InvalidInput
from gongxin.sanctions import memoranda
from tests.intake.helpers import AS_OF, catalog
from tests.sanctions.helpers import World, open_world

GOOD = """
memoranda:
  - id: local-2026-1
    title: 关于对欠薪失信主体实施联合惩戒的备忘录（本地）
    doc_no: 某发〔2026〕1号
    issued_on: 2026-03-01
    issuers: [市人社局, 市发展改革委]
    list_types: [dishonest_debtor, serious_dishonest_list]
    measures:
      - text: 限制参与政府投资项目招标投标
        kind: punish
        scenes: [招标投标]
        department: 市发展改革委
        legal_basis: 某条例第十条
"""


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield from open_world(db_url)


def test_the_starter_set_covers_every_list_type() -> None:
    memos = memoranda.packaged(catalog())
    covered = {t for m in memos for t in m.list_types}
    from gongxin.sanctions.lists import list_types

    assert covered == set(list_types(catalog()))
    assert len({x.id for m in memos for x in m.measures}) == sum(len(m.measures) for m in memos)


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (("dishonest_debtor, serious", "dishonest_debtor, nope_list"), ["list_types", "nope_list"]),
        (("kind: punish", "kind: penalty"), ["measure 1", "kind", "penalty"]),
        (("[招标投标]", "[买菜]"), ["measure 1", "scenes", "买菜"]),
        (("        legal_basis: 某条例第十条\n", ""), ["measure 1", "legal_basis"]),
        (("kind: punish", "kind: reward"), ["measure 1", "kind"]),
        (("issuers:", "signers:"), ["signers"]),
    ],
)
def test_bad_files_name_file_memorandum_measure_field_value(
    change: tuple[str, str], names: list[str]
) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(InvalidInput) as exc:
        memoranda.parse(text, "bad.yaml", catalog())
    message = exc.value.zh + exc.value.en
    for name in ["bad.yaml", "local-2026-1", *names]:
        assert name in message, (name, message)


def test_load_adds_then_supersedes_and_checks_use_it(world: World) -> None:
    sid, code = world.subject(1)
    world.entry("dishonest_debtor", code, subject_id=sid)
    before = {m["id"] for m in world.check([code], scene="招标投标").results[0]["measures"]}
    with world.engine.begin() as conn:
        (first,) = memoranda.load(conn, catalog(), GOOD, "local.yaml", now=AS_OF, actor="cli")
    assert (first.version, first.replaced) == (1, False)
    after = {m["id"] for m in world.check([code], scene="招标投标").results[0]["measures"]}
    assert after == before | {"local-2026-1-1"}
    revised = GOOD.replace("限制参与政府投资项目招标投标", "禁止参与政府投资项目招标投标")
    with world.engine.begin() as conn:
        (second,) = memoranda.load(conn, catalog(), revised, "local.yaml", now=AS_OF, actor="cli")
        versions = conn.execute(
            sa.select(table.c.version, table.c.superseded_at).order_by(table.c.version)
        ).all()
    assert (second.version, second.replaced) == (2, True)
    assert versions[0][1] is not None and versions[1][1] is None
    texts = [m["text"] for m in world.check([code], scene="招标投标").results[0]["measures"]]
    assert "禁止参与政府投资项目招标投标" in texts and "限制参与政府投资项目招标投标" not in texts


def test_loading_a_packaged_id_replaces_it(world: World) -> None:
    replacement = GOOD.replace("local-2026-1", "fgcj-2016-141")
    with world.engine.begin() as conn:
        (done,) = memoranda.load(conn, catalog(), replacement, "x.yaml", now=AS_OF, actor="cli")
        book = memoranda.book(conn, catalog())
    assert done.replaced
    (memo,) = [m for m in book.memoranda if m.id == "fgcj-2016-141"]
    assert memo.version == 1 and len(memo.measures) == 1
