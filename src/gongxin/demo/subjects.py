"""The synthetic population: market entities with their registration facts, and natural persons.

The mix follows a real city's register: mostly companies (91), a sizeable share of 个体工商户
(92), some 农民专业合作社 (93), a few 事业单位 (12), 社会组织 (51/52), village collectives (N2)
and other bodies (Y1), and some old subjects known only by a 15-digit registration number.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from gongxin.demo import codes, names
from gongxin.demo.regions import Region, address, pick_region

ENTITY = "法人及非法人组织"
INDIVIDUAL = "个体工商户"
PERSON = "自然人"

USCC_START = date(2015, 10, 1)  # GB 32100-2015 took effect; later subjects never had a 注册号


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_number: str
    born: date
    region: Region


@dataclass(frozen=True, slots=True)
class Details:
    """Registration details as 国家企业信用信息公示系统 shows them (``structure.py``)."""

    status: str
    authority: str
    term_end: date
    industry: str | None
    phone: str
    email: str | None
    investors: str
    changes: str
    planted: bool = False  # in the planted penalty-rate anomaly: given a recent penalty
    exit_date: date | None = None  # 注销 or 吊销: the day it exited (``structure._exit``)


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    kind: str  # company, individual, coop, institution, social, collective, other
    category: str  # 行政相对人类别: 法人及非法人组织 or 个体工商户
    uscc: str | None  # None for a legacy subject known only by its registration number
    reg_no: str | None
    entity_type: str | None
    legal_rep: Person
    reg_date: date
    capital: str | None
    scope: str
    region: Region
    address: str
    details: Details | None = None

    @property
    def code(self) -> str:
        """The registration key: the USCC, else the registration number."""
        code = self.uscc or self.reg_no
        assert code is not None
        return code

    @property
    def org_code(self) -> str | None:
        return self.uscc[8:17] if self.uscc else None


def make_person(rng: random.Random, as_of: date, region: Region | None = None) -> Person:
    region = region or pick_region(rng, 0.7)
    born = as_of - timedelta(days=rng.randint(20 * 365, 68 * 365))
    male = rng.random() < 0.6
    return Person(
        names.person_name(rng), codes.resident_id(rng, region.code, born, male=male), born, region
    )


def _reg_date(rng: random.Random, as_of: date, earliest: date = date(1990, 1, 1)) -> date:
    # Registrations grow over the years: skew towards recent dates.
    span = (as_of - earliest).days
    return earliest + timedelta(days=int(span * rng.random() ** 0.6))


class _Facts(NamedTuple):
    name: str
    authority: str  # USCC registration authority code (position 1)
    category: str  # USCC organisation category code (position 2)
    entity_type: str
    capital: str | None
    scope: str


def _company(rng: random.Random, region: Region) -> _Facts:
    industry, scope = rng.choice(names.INDUSTRIES)
    roll = rng.random()
    foreign = roll < 0.04
    if foreign:
        suffix, etype = "有限公司", rng.choice(names.FOREIGN_TYPES)
    elif roll < 0.12:
        suffix, etype = "股份有限公司", names.SHARE_COMPANY_TYPE
    else:
        suffix = "有限公司" if rng.random() < 0.7 else "有限责任公司"
        etype = rng.choice(names.COMPANY_TYPES)
    name = names.company_name(rng, region, industry, suffix)
    return _Facts(name, "9", "1", etype, names.capital(rng, foreign=foreign), scope)


def _other(rng: random.Random, region: Region, kind: str) -> _Facts:
    if kind == "individual":
        shop, scope = rng.choice(names.SHOPS)
        small = names.capital(rng, small=True) if rng.random() < 0.6 else None
        return _Facts(names.shop_name(rng, region, shop), "9", "2", "个体工商户", small, scope)
    if kind == "coop":
        scope = "组织采购、供应成员所需的农业生产资料；组织收购、销售成员生产的农产品。"
        name = names.coop_name(rng, region)
        return _Facts(name, "9", "3", "农民专业合作社", names.capital(rng), scope)
    if kind == "institution":
        name = names.institution_name(rng, region)
        return _Facts(name, "1", "2", "事业单位", names.capital(rng), "为社会提供公益服务。")
    if kind == "social":
        name, category = names.association_name(rng, region)
        etype = "社会团体" if category == "1" else "民办非企业单位"
        scope = "行业自律、交流合作、咨询服务、业务培训。"
        return _Facts(name, "5", category, etype, names.capital(rng, small=True), scope)
    if kind == "collective":
        scope = "集体资产经营与管理；集体资源发包。"
        return _Facts(names.collective_name(rng, region), "N", "2", "农村集体经济组织", None, scope)
    name = names.owners_committee_name(rng, region)
    return _Facts(name, "Y", "1", "其他", None, "业主自治管理。")


_KINDS = (  # (kind, cumulative share)
    ("company", 0.70),
    ("individual", 0.88),
    ("coop", 0.93),
    ("institution", 0.955),
    ("social", 0.98),
    ("collective", 0.99),
    ("other", 1.0),
)


def make_subject(
    rng: random.Random, as_of: date, taken: set[str], *, legacy_share: float
) -> Subject:
    """One market entity; ``taken`` holds the names and codes already given out."""
    roll = rng.random()
    kind = next(k for k, share in _KINDS if roll < share)
    region = pick_region(rng)
    legacy = kind == "company" and rng.random() < legacy_share
    reg = _reg_date(rng, min(as_of, USCC_START - timedelta(days=1)) if legacy else as_of)
    facts = _company(rng, region) if kind == "company" else _other(rng, region, kind)
    name = facts.name
    while name in taken:  # names are unique in a register
        name = f"{region.prefix}{names.trade_name(rng)}{facts.name.removeprefix(region.prefix)}"
    taken.add(name)
    uscc = reg_no = None
    if legacy:
        reg_no = _unique(taken, lambda: codes.registration_number(rng, region.code))
    else:
        new_style = reg >= USCC_START or rng.random() < 0.1
        uscc = _unique(
            taken,
            lambda: codes.random_uscc(
                rng, facts.authority, facts.category, region.code, new_style=new_style
            ),
        )
        if reg < USCC_START and kind == "company" and rng.random() < 0.3:
            reg_no = _unique(taken, lambda: codes.registration_number(rng, region.code))
    return Subject(
        name=name,
        kind=kind,
        category=INDIVIDUAL if kind == "individual" else ENTITY,
        uscc=uscc,
        reg_no=reg_no,
        entity_type=facts.entity_type,
        legal_rep=make_person(rng, as_of, region),
        reg_date=reg,
        capital=facts.capital,
        scope=facts.scope,
        region=region,
        address=address(rng, region),
    )


def _unique(taken: set[str], make: Callable[[], str]) -> str:
    code = make()
    while code in taken:
        code = make()
    taken.add(code)
    return code


@dataclass(frozen=True)
class Population:
    registered: list[Subject]  # in the registration file
    outsiders: list[Subject]  # referenced by records but never registered here (待关联)
    persons: list[Person]  # natural persons who are counterparts themselves

    def with_uscc(self) -> list[Subject]:
        return [s for s in self.registered if s.uscc]


def make_population(seed: int, subjects: int, as_of: date) -> Population:
    rng = random.Random(f"{seed}:population")
    taken: set[str] = set()
    from gongxin.demo.structure import structure  # it builds on the subjects made here

    registered = [make_subject(rng, as_of, taken, legacy_share=0.04) for _ in range(subjects)]
    registered = structure(random.Random(f"{seed}:structure"), registered, as_of)
    outsiders = [
        make_subject(rng, as_of, taken, legacy_share=0.0) for _ in range(max(3, subjects // 50))
    ]
    persons = [make_person(rng, as_of) for _ in range(max(10, subjects // 20))]
    return Population(registered, outsiders, persons)
