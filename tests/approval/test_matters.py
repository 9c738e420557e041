"""Approval matters are data, validated strictly: a deployment's file with an unknown key, a
scene or list type that does not exist, or inconsistent deadlines is refused naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongxin.approval import matters
from gongxin.errors import InvalidInput
from tests.intake.helpers import catalog

GOOD = """
credit_gate: {promise: [serious_dishonest_list]}
matters:
  - code: sign_permit
    name: 户外招牌设置许可
    scene: 行政许可
    statutory_days: 20
    promised_days: 5
    departments: [{name: 市城市管理委员会, days: 5}, {name: 市市场监督管理局, days: 3}]
    materials: [{code: form, name: 申请表, main: true}]
"""


def _load(tmp_path: Path, text: str) -> matters.Book:
    path = tmp_path / "matters.yaml"
    path.write_text(text, "utf-8")
    return matters.load(catalog(), path)


def test_a_deployment_file_replaces_the_packaged_matters(tmp_path: Path) -> None:
    book = _load(tmp_path, GOOD)
    assert [m.code for m in book.matters] == ["sign_permit"]
    assert book.matters[0].scene == "licensing"  # the scene's name resolved to its code
    assert book.departments() == ["市城市管理委员会", "市市场监督管理局"]


def test_the_packaged_matters_load() -> None:
    book = matters.load(catalog())
    assert {"construction_permit", "investment_approval", "food_business_licence"} <= {
        m.code for m in book.matters
    }
    assert "serious_dishonest_list" in book.credit_gate.promise


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("scene: 行政许可", "scene: 钓鱼"), "licensing"),  # lists the valid scenes
        (("    promised_days: 5", "    promised_days: 5\n    colour: red"), "colour"),
        (("promised_days: 5", "promised_days: 30"), "承诺时限超过法定时限"),
        (("days: 5}, {name", "days: 9}, {name"), "部门时限超过承诺时限"),
        (("[serious_dishonest_list]", "[no_such_list]"), "no_such_list"),
        (("days: 3}", "days: -1}"), "departments"),
    ],
)
def test_a_malformed_file_is_refused_naming_what(
    tmp_path: Path, change: tuple[str, str], said: str
) -> None:
    with pytest.raises(InvalidInput) as bad:
        _load(tmp_path, GOOD.replace(*change))
    assert said in bad.value.message + str(bad.value.details)
    assert str(tmp_path) in bad.value.zh
