"""The visibility gate: what each audience may see of a record, and when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongxin.catalog.registry import load_catalog
from gongxin.records.gate import (
    Audience,
    decide,
    masked,
    view,
)
from gongxin.records.masks import mask_id_number, mask_person_name
from gongxin.records.publicity import PenaltyFacts, publicity

CATALOG = load_catalog()
PENALTY = CATALOG.get("penalty")
LICENCE = CATALOG.get("licence")
ABNORMAL = CATALOG.get("abnormal_list")
PUBLIC, DEPT, CENTRE = Audience.PUBLIC, Audience.DEPARTMENT, Audience.CENTRE
AS_OF = date(2026, 11, 22)


def penalty(decided: date, *cats: str, **extra: str) -> dict[str, object]:
    return {
        "CF_XDR_MC": "北京某某商贸有限公司",
        "CF_XDR_LB": "法人及非法人组织",
        "CF_FRDB": "欧阳娜娜",
        "CF_FR_ZJHM": "11010519491231002X",
        "CF_JDRQ": decided.isoformat(),
        "CF_CFLB": list(cats or ("罚款",)),
        "CF_NR_FK": "1.000000",
        "CF_CFJG": "北京市生态环境局",
        **extra,
    }


def test_a_recent_penalty_is_public_and_one_past_every_maximum_is_not() -> None:
    recent = decide(PENALTY, penalty(AS_OF - timedelta(days=30)), PUBLIC, AS_OF)
    assert recent.visible and recent.until is not None and recent.until > AS_OF
    old = penalty(AS_OF - timedelta(days=3 * 366 + 1))  # past 3 years, the longest maximum
    hidden = decide(PENALTY, old, PUBLIC, AS_OF)
    assert not hidden.visible and "届满" in hidden.zh
    assert decide(PENALTY, old, DEPT, AS_OF).visible  # government sharing goes on
    assert decide(PENALTY, old, CENTRE, AS_OF).visible


def test_a_penalty_is_not_public_before_its_decision_date() -> None:
    assert not decide(PENALTY, penalty(AS_OF + timedelta(days=1)), PUBLIC, AS_OF).visible


def test_a_warning_only_market_regulation_penalty_is_never_public() -> None:
    record = penalty(AS_OF - timedelta(days=10), "警告", CF_CFJG="北京市朝阳区市场监督管理局")
    decision = decide(PENALTY, record, PUBLIC, AS_OF)
    assert not decision.visible and "警告" in decision.zh


def test_natural_persons_are_not_public_but_are_shared() -> None:
    record = penalty(AS_OF - timedelta(days=10), CF_XDR_LB="自然人")
    assert not decide(PENALTY, record, PUBLIC, AS_OF).visible
    assert decide(PENALTY, record, DEPT, AS_OF).visible


def test_licences_show_while_valid_and_long_term_as_such() -> None:
    base = {"XK_XDR_LB": "法人及非法人组织", "XK_YXQZ": "2020-01-01", "XK_ZT": "有效"}
    long_term = decide(LICENCE, {**base, "XK_YXQZI": "2099-12-31"}, PUBLIC, AS_OF)
    assert long_term.visible and "长期" in long_term.zh and long_term.until is None
    assert not decide(LICENCE, {**base, "XK_YXQZI": "2025-12-31"}, PUBLIC, AS_OF).visible
    revoked = decide(LICENCE, {**base, "XK_YXQZI": "2099-12-31", "XK_ZT": "无效"}, PUBLIC, AS_OF)
    assert not revoked.visible and "无效" in revoked.zh
    assert not decide(LICENCE, {**base, "XK_ZT": "无效"}, DEPT, AS_OF).visible


def test_list_entries_show_from_listing_until_removal() -> None:
    listed = {"MD_ZTLB": "法人及非法人组织", "MD_LRRQ": "2025-03-01"}
    assert decide(ABNORMAL, listed, PUBLIC, AS_OF).visible
    gone = decide(ABNORMAL, {**listed, "MD_SJYCRQ": "2026-06-01"}, PUBLIC, AS_OF)
    assert not gone.visible and "移出" in gone.zh
    assert not decide(ABNORMAL, {**listed, "MD_JHYCRQ": "2026-03-01"}, PUBLIC, AS_OF).visible
    assert not decide(ABNORMAL, {"MD_LRRQ": "2027-01-01"}, PUBLIC, AS_OF).visible


def test_personal_data_is_masked_for_the_public_only() -> None:
    record = penalty(AS_OF - timedelta(days=5))
    shown = view(PENALTY, record, PUBLIC, AS_OF)
    assert shown is not None
    assert shown["CF_FRDB"] == "欧**"
    assert shown["CF_FR_ZJHM"] == "*" * 18  # no region, no birth date
    assert shown["CF_XDR_MC"] == record["CF_XDR_MC"]  # the company's name is not personal data
    assert masked(PENALTY, record, CENTRE)["CF_FR_ZJHM"] == "11010519491231002X"


def test_an_id_number_in_both_layouts_is_masked_once() -> None:
    record = {**penalty(AS_OF - timedelta(days=5)), "CF_XDR_ZJHM": "11010519491231002X"}
    assert masked(PENALTY, record, PUBLIC)["CF_XDR_ZJHM"] == "*" * 18


@pytest.mark.parametrize(
    "number", ["11010519491231002X", "360426199101010071", "E12345678", "110105", "A1"]
)
def test_every_id_number_mask_has_the_same_length_and_shows_nothing(number: str) -> None:
    assert mask_id_number(number) == "*" * 18


@pytest.mark.parametrize("name", ["张三", "王小明", "欧阳娜娜", "爱新觉罗·启星"])
def test_person_name_masks_keep_one_character_and_a_fixed_length(name: str) -> None:
    assert mask_person_name(name) == name[0] + "**"


def test_a_one_character_name_shows_nothing() -> None:
    assert mask_person_name("张") == "***"


@pytest.mark.parametrize(
    ("name", "operator", "shown"),
    [
        ("张三", "张三", "张**"),  # no 字号: registered under the operator's name
        ("欧阳娜娜", "欧阳娜娜", "欧**"),  # four characters, equal to the operator
        ("李四", None, "李**"),  # two Han characters alone, operator not given
        ("海淀区老王烧烤店", "王五", "海淀区老王烧烤店"),  # a shop name (字号) is no personal data
    ],
)
def test_an_individual_business_named_after_its_operator_is_masked_like_them(
    name: str, operator: str | None, shown: str
) -> None:
    record = penalty(AS_OF - timedelta(days=5), CF_XDR_MC=name, CF_XDR_LB="个体工商户")
    if operator is None:
        del record["CF_FRDB"]
    else:
        record["CF_FRDB"] = operator
    out = view(PENALTY, record, PUBLIC, AS_OF)
    assert out is not None and out["CF_XDR_MC"] == shown
    assert masked(PENALTY, record, DEPT)["CF_XDR_MC"] == name  # departments see it whole


def test_a_company_named_like_a_person_is_not_masked() -> None:
    record = penalty(AS_OF - timedelta(days=5), CF_XDR_MC="张三", CF_FRDB="张三")
    out = view(PENALTY, record, PUBLIC, AS_OF)
    assert out is not None and out["CF_XDR_MC"] == "张三"


@settings(max_examples=300)
@given(
    decided=st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31)),
    as_of=st.dates(min_value=date(2018, 1, 1), max_value=date(2034, 12, 31)),
    cats=st.lists(
        st.sampled_from(
            ["警告", "通报批评", "罚款", "没收违法所得", "责令停产停业", "吊销许可证件", "限制从业"]
        ),
        min_size=1,
        max_size=3,
    ),
    samr=st.booleans(),
    person=st.sampled_from(["法人及非法人组织", "个体工商户", "自然人"]),
    name=st.text(alphabet="张王李赵欧阳娜伟", min_size=2, max_size=4),
    status=st.sampled_from([None, "正常", "撤销", "异议"]),
)
def test_nothing_outside_its_window_and_no_unmasked_identifier_reaches_the_public(
    decided: date,
    as_of: date,
    cats: list[str],
    samr: bool,
    person: str,
    name: str,
    status: str | None,
) -> None:
    authority = "某某市市场监督管理局" if samr else "某某市生态环境局"
    record = penalty(decided, *cats, CF_CFJG=authority, CF_XDR_LB=person, CF_FRDB=name)
    if status is not None:
        record["CF_ZT"] = status
    shown = view(PENALTY, record, PUBLIC, as_of)
    if shown is None:
        return
    assert status != "撤销"  # nothing withdrawn
    window = publicity(PenaltyFacts(decided, tuple(cats), fine_wan=None, market_regulation=samr))
    assert person != "自然人"
    assert window.published and window.public_on(as_of)
    assert shown["CF_FR_ZJHM"] != record["CF_FR_ZJHM"]
    assert shown["CF_FRDB"] != name and shown["CF_FRDB"][0] == name[0]


def test_a_revoked_penalty_is_withdrawn_from_the_public() -> None:
    record = penalty(AS_OF - timedelta(days=10))
    assert decide(PENALTY, record, PUBLIC, AS_OF).visible
    revoked = {**record, "CF_ZT": "撤销"}
    decision = decide(PENALTY, revoked, PUBLIC, AS_OF)
    assert not decision.visible and "撤销" in decision.zh
    assert not decide(PENALTY, revoked, DEPT, AS_OF).visible  # no longer shared either
    assert decide(PENALTY, revoked, CENTRE, AS_OF).visible  # kept, for the record


def test_severity_and_sector_from_the_record_drive_the_window() -> None:
    decided = date(2025, 9, 1)  # under 国办发〔2025〕22号
    general = decide(PENALTY, penalty(decided), PUBLIC, date(2026, 10, 1))
    assert not general.visible  # 一般: at most one year
    severe = decide(PENALTY, penalty(decided, CF_YZCD="严重"), PUBLIC, date(2026, 10, 1))
    assert severe.visible and severe.until == date(2028, 9, 1)  # 严重: three years
    minor = decide(PENALTY, penalty(decided, CF_YZCD="轻微"), PUBLIC, date(2025, 12, 2))
    assert not minor.visible  # 轻微: three months at most
    # (a sector changes only when repair may end publicity early: see test_publicity)
