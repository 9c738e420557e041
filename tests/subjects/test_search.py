"""Finding subjects by code or name fragment, on both databases' trigram indexes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gongxin.errors import InvalidInput
from gongxin.subjects.search import search
from tests.intake.helpers import (
    Store,
    make_regno,
    make_uscc,
    open_store,
    registration_row,
    write_registrations,
)

NAMES = {
    1: "北京小米科技有限责任公司",
    2: "北京小米之家商贸有限公司",
    3: "上海某某(集团)有限公司",
    4: "北京星河数据服务有限公司",
    5: "小米",
    6: "深圳A_B咨询有限公司",
}


@pytest.fixture
def loaded(store: Store) -> Store:
    rows = [registration_row(n, 企业名称=name) for n, name in NAMES.items()]
    rows.append(registration_row(7, 统一社会信用代码=make_regno(7), 企业名称="北京老字号食品厂"))
    summary = store.ingest(write_registrations(store.folder / "reg.csv", rows), "registration")
    assert summary.accepted == 7
    return store


def found(store: Store, q: str, **kw: int) -> list[str]:
    with store.engine.connect() as conn:
        return [hit.name for hit in search(conn, q, **kw).hits]


def test_by_code_in_any_spelling(loaded: Store) -> None:
    code = make_uscc(1)
    full_width = code.translate({ord(c): ord(c) + 0xFEE0 for c in code})
    assert found(loaded, code) == found(loaded, f" {full_width.lower()} ") == [NAMES[1]]
    assert found(loaded, make_regno(7)) == ["北京老字号食品厂"]
    org = code[8:16] + "-" + code[16]
    with loaded.engine.connect() as conn:
        page = search(conn, org)
    assert (page.matched_by, [h.name for h in page.hits]) == ("org_code", [NAMES[1]])


def test_by_name_fragment_long_and_short(loaded: Store) -> None:
    assert found(loaded, "小米科技") == [NAMES[1]]
    assert set(found(loaded, "小米")) == {NAMES[1], NAMES[2], NAMES[5]}
    assert found(loaded, "小米")[0] == "小米"  # the exact name first, then shorter names
    assert found(loaded, "星河数据") == [NAMES[4]]


def test_tolerant_of_legal_form_brackets_and_width(loaded: Store) -> None:
    assert found(loaded, "北京小米科技有限公司") == [NAMES[1]]  # stored as 有限责任公司
    assert found(loaded, "某某（集团）") == [NAMES[3]]  # full-width brackets
    assert found(loaded, "ｓｈａｎｇ") == []  # nothing invented


def test_wildcard_characters_are_literal(loaded: Store) -> None:
    assert found(loaded, "A_B") == [NAMES[6]]
    assert found(loaded, "%") == []
    assert found(loaded, "（）") == []  # brackets alone: not every name


def test_pages(loaded: Store) -> None:
    with loaded.engine.connect() as conn:
        first = search(conn, "北京", size=2)
        beyond = search(conn, "北京", page=9, size=2)
    assert (first.total, first.pages, len(first.hits)) == (4, 2, 2)
    assert (beyond.total, beyond.hits) == (4, [])


@pytest.mark.parametrize("q", ["", "   ", "北" * 101])
def test_empty_or_overlong_queries_are_refused(loaded: Store, q: str) -> None:
    with loaded.engine.connect() as conn, pytest.raises(InvalidInput):
        search(conn, q)


def test_bad_pages_are_refused(loaded: Store) -> None:
    with loaded.engine.connect() as conn:
        with pytest.raises(InvalidInput):
            search(conn, "北京", page=0)
        with pytest.raises(InvalidInput):
            search(conn, "北京", size=1000)


def test_the_index_follows_a_renamed_subject(loaded: Store) -> None:
    renamed = [registration_row(4, 企业名称="北京银河数据服务有限公司")]
    loaded.ingest(write_registrations(loaded.folder / "rename.csv", renamed), "registration")
    assert found(loaded, "银河数据") == ["北京银河数据服务有限公司"]
    assert found(loaded, "星河数据") == []


def test_a_common_fragment_is_counted_no_further_than_needed_and_paged_by_age(
    loaded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four names contain 北京: with sets of at most 3 ranked and pages of 1, the first page
    reads 3+ (it read as far as the ranking needs and one match more), the pages come in
    registration order, and the last page knows the exact total."""
    from gongxin.subjects import search as module

    monkeypatch.setattr(module, "RANK_LIMIT", 3)
    with loaded.engine.connect() as conn:
        first = search(conn, "北京", size=1)
        pages = [search(conn, "北京", page=n, size=1) for n in (1, 2, 3, 4)]
    assert (first.total, first.capped, first.pages) == (3, True, 4)  # a fourth one exists
    names = [h.name for p in pages for h in p.hits]
    assert names == [NAMES[1], NAMES[2], NAMES[4], "北京老字号食品厂"]  # not ranked
    assert (pages[-1].total, pages[-1].capped) == (4, False)
    with loaded.engine.connect() as conn:
        few = search(conn, "小米")  # 3 matches: within the limit, ranked, exact name first
    assert (few.total, few.capped, few.hits[0].name) == (3, False, "小米")


# names over a small alphabet: many hold the same fragments, some are equal to a query
_PARTS = ["华", "信", "华信", "科技", "华信科技", "商贸", "有限公司"]


def _generated_names(count: int) -> list[str]:
    import random

    rng = random.Random(20261202)
    names = ["华信科技", "华信", "华信科技"]  # exact names of two queries, one of them twice
    while len(names) < count:
        names.append("".join(rng.choice(_PARTS) for _ in range(rng.randint(1, 4))))
    rng.shuffle(names)
    return names


@pytest.mark.parametrize(("rank_limit", "probe_rows"), [(4, None), (20, None), (4, 9), (4, 25)])
def test_every_page_follows_the_order_and_no_match_is_lost(
    store: Store, monkeypatch: pytest.MonkeyPatch, rank_limit: int, probe_rows: int | None
) -> None:
    """Paging through every query to its end gives each match exactly once, in the search's
    order: a set within RANK_LIMIT ranked (the exact name, shorter names, registration), a
    larger one with the names equal to the query first and then by registration; each
    page's total is exact unless it says it is capped, and then it is below the true one.
    With PostgreSQL's probe over a few subjects only, some pages are answered from the probe
    and some are not: the same pages."""
    from gongxin.subjects import search as module
    from gongxin.subjects.names import normalise_name

    monkeypatch.setattr(module, "RANK_LIMIT", rank_limit)
    if probe_rows is not None:
        monkeypatch.setattr(module, "PROBE_ROWS", probe_rows)
        monkeypatch.setattr(module, "PROBE_SHARE", 1)
    names = _generated_names(60)
    rows = [registration_row(100 + n, 企业名称=name) for n, name in enumerate(names)]
    assert store.ingest(write_registrations(store.folder / "g.csv", rows), "registration").accepted
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT id, name_norm FROM subjects").all()
        for q in ["华信科技", "华信", "华 科技", "信科", "商贸有限"]:
            words = [normalise_name(w) for w in q.split()]
            key = normalise_name(q)
            matches = [(i, n) for i, n in stored if all(w in n for w in words)]
            if len(matches) <= rank_limit:
                matches.sort(key=lambda m: (m[1] != key, len(m[1]), m[0]))
            else:
                matches.sort(key=lambda m: (m[1] != key, m[0]))
            for size in (2, 7):
                seen: list[int] = []
                for number in range(1, 100):
                    got = search(conn, q, page=number, size=size)
                    assert got.total <= len(matches) and got.capped == (got.total < len(matches))
                    assert got.page < got.pages or not got.capped  # the pager offers the next
                    if not got.hits:
                        break
                    seen += [h.id for h in got.hits]
                assert seen == [i for i, _ in matches], (q, size)


def test_an_individual_business_named_after_its_operator_is_masked(store: Store) -> None:
    """A 个体工商户 without a shop name is registered under its operator's name: the public
    sees it masked like the operator; one with a shop name is shown as it is."""
    rows = [
        registration_row(11, 企业名称="王小明", 企业类型="个体工商户", 法人代表="王小明"),
        registration_row(12, 企业名称="海淀区王记面馆", 企业类型="个体工商户", 法人代表="王五"),
    ]
    summary = store.ingest(write_registrations(store.folder / "ind.csv", rows), "registration")
    assert summary.accepted == 2
    assert found(store, make_uscc(11)) == ["王**"]
    assert found(store, make_uscc(12)) == ["海淀区王记面馆"]
    with store.engine.connect() as conn:
        hit = search(conn, make_uscc(12)).hits[0]
    assert hit.legal_rep == "王**"


@pytest.fixture
def pg_store(pg_url: str, tmp_path: Path) -> Iterator[Store]:
    """PostgreSQL only: SQLite reads FTS5's trigram table in id order, with no probe."""
    yield from open_store(pg_url, tmp_path)


def test_a_common_fragment_is_answered_from_the_first_subjects_on_postgresql(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a short fragment that most names hold fills its first page from the probe
    of the first subjects by id, one statement, the trigram index not asked; a fragment the
    probe does not hold enough of is still found in full (a second statement); a long one
    goes to the index at once."""
    from gongxin.subjects import search as module

    store = pg_store
    monkeypatch.setattr(module, "PROBE_ROWS", 200)
    monkeypatch.setattr(module, "PROBE_SHARE", 2)  # a page (21 matches read) probes 200
    names = [f"华信{n}号科技有限公司" for n in range(150)] + ["远方贸易有限公司"] * 5
    rows = [registration_row(300 + n, 企业名称=name) for n, name in enumerate(names)]
    assert store.ingest(write_registrations(store.folder / "p.csv", rows), "registration").accepted
    statements: list[str] = []
    read = module._Source._read

    def counted(self: object, sql: str, params: list[object]) -> list[object]:
        statements.append(sql)
        return read(self, sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(module._Source, "_read", counted)
    with store.engine.connect() as conn:
        common = search(conn, "科技", size=3)
        assert (len(common.hits), common.capped) == (3, True)
        assert len(statements) == 1 and "LIMIT 200" in statements[0]
        statements.clear()
        rare = search(conn, "远方贸易", size=3)
    assert [h.name for h in rare.hits] == ["远方贸易有限公司"] * 3 and rare.total == 5
    assert len(statements) == 2 and "LIMIT 200" not in statements[1]
    statements.clear()
    with store.engine.connect() as conn:  # a long keyword is seldom common: no probe
        assert search(conn, "远方贸易有限", size=3).total == 5
    assert len(statements) == 1 and "LIMIT 200" not in statements[0]
