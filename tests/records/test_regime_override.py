"""A deployment overrides the publicity regimes with its own YAML files (GONGXIN_REGIMES_DIR):
a file with a packaged regime's key replaces it, a new key adds one, a selection.yaml replaces
the selection; the server and the commands use them, and a bad file is refused by name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gongxin.errors import InvalidInput
from gongxin.records import regimes
from gongxin.records.publicity import PenaltyFacts, publicity
from gongxin.settings import Settings
from gongxin.web.app import create_app
from tests.support.http import TestClient

DECIDED = date(2025, 8, 1)  # under GB2025 (国办发〔2025〕22号)
LOCAL_GB2025 = """\
key: GB2025
title: 国办发〔2025〕22号（本地实施细则：严重失信公示五年）
basis: 国办发〔2025〕22号；本地细则
effective_from: 2025-06-22
confidence: confirmed
windows:
  轻微: {max_months: 3, may_be_unpublished: true}
  一般: {min_months: 3, max_months: 12}
  严重: {min_months: 12, max_months: 60}
"""


@pytest.fixture(autouse=True)
def packaged_afterwards() -> Iterator[None]:
    yield
    regimes.configure(None)


def serious() -> PenaltyFacts:
    return PenaltyFacts(DECIDED, ("罚款",), severity="严重")


def test_a_deployment_file_replaces_the_packaged_regime(tmp_path: Path) -> None:
    assert publicity(serious()).end == date(2028, 8, 1)  # packaged: 36 months
    (tmp_path / "GB2025.yaml").write_text(LOCAL_GB2025, encoding="utf-8")
    regimes.configure(tmp_path)
    got = publicity(serious())
    assert (got.regime, got.end) == ("GB2025", date(2030, 8, 1))
    assert "本地实施细则" in regimes.load()[0]["GB2025"].title
    assert set(regimes.load()[0]) == set(regimes.packaged()[0])  # the others kept
    regimes.configure(None)
    assert publicity(serious()).end == date(2028, 8, 1)


def test_a_new_regime_and_selection_are_used(tmp_path: Path) -> None:
    local = LOCAL_GB2025.replace("key: GB2025", "key: LOCAL_2025").replace(
        "max_months: 60", "max_months: 48"
    )
    (tmp_path / "local.yaml").write_text(local, encoding="utf-8")
    (tmp_path / "selection.yaml").write_text(
        "market_regulation: SAMR_45\nmarket_regulation_authorities: [市场监督管理]\n"
        "publish_natural_persons: false\nprefer: [LOCAL_2025, ORDER36, GB2025, NDRC_2023, "
        "NDRC_2019]\ndefault_severity: 一般\n",
        encoding="utf-8",
    )
    regimes.configure(tmp_path)
    got = publicity(serious())
    assert (got.regime, got.end) == ("LOCAL_2025", date(2029, 8, 1))


def test_a_bad_file_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "GB2025.yaml").write_text(
        LOCAL_GB2025.replace("max_months: 60", "max_months: 六十"), encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match=r"GB2025\.yaml"):
        regimes.read_folder(tmp_path)
    (tmp_path / "GB2025.yaml").unlink()
    (tmp_path / "selection.yaml").write_text(
        "market_regulation: NOPE\nmarket_regulation_authorities: []\n"
        "publish_natural_persons: false\nprefer: []\ndefault_severity: 一般\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match="NOPE"):
        regimes.read_folder(tmp_path)
    with pytest.raises(InvalidInput, match="no such regimes folder"):
        regimes.configure(tmp_path / "missing")


def test_the_server_uses_the_setting(tmp_path: Path) -> None:
    folder = tmp_path / "regimes"
    folder.mkdir()
    (folder / "GB2025.yaml").write_text(LOCAL_GB2025, encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/x.db", var_dir=tmp_path / "var", regimes_dir=folder
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        assert publicity(serious()).end == date(2030, 8, 1)
