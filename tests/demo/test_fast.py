"""The benchmark's fast penalty writer: every row valid, no two rows alike, same seed same bytes."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from gongxin.catalog.registry import load_catalog
from gongxin.demo import DemoFile, write_penalty_csv
from gongxin.ids import orgcode, ric, uscc
from tests.demo.helpers import AS_OF_DATE, check


def test_every_row_is_valid_and_unique(tmp_path: Path) -> None:
    path = tmp_path / "penalty.csv"
    write_penalty_csv(path, 3000, seed=4, as_of=AS_OF_DATE, subjects=800)
    catalog = load_catalog()
    result = check(catalog, DemoFile("penalty", "市市场监督管理局", path, 3000, 0))
    assert result.headers == [f.name for f in catalog.get("penalty").fields]
    assert len(result.rows) == 3000 and result.rejected == 0, result.rules
    data = list(result.accepted())
    assert len({d["CF_WSH"] for d in data}) == 3000
    codes = [d["CF_XDR_SHXYM"] for d in data if d.get("CF_XDR_SHXYM")]
    assert all(uscc.is_valid(c, strict=True) and orgcode.is_valid(c[8:17]) for c in set(codes))
    assert 500 <= len(set(codes)) <= 800
    kinds = Counter(d["CF_XDR_LB"] for d in data)
    assert kinds["法人及非法人组织"] > kinds["个体工商户"] > kinds["自然人"] > 0
    persons = [d["CF_XDR_ZJHM"] for d in data if d["CF_XDR_LB"] == "自然人"]
    assert all(ric.is_valid(p) for p in persons)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    paths = [tmp_path / f"{n}.csv" for n in range(3)]
    for path, seed in zip(paths, (1, 1, 2), strict=True):
        write_penalty_csv(path, 500, seed=seed, as_of=AS_OF_DATE, subjects=100)
    assert paths[0].read_bytes() == paths[1].read_bytes() != paths[2].read_bytes()
    with paths[0].open(encoding="utf-8", newline="") as fh:
        assert sum(1 for _ in csv.reader(fh)) == 501
