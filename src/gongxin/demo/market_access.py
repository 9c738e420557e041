"""The demo's trust marks and credit agency (issue 15 items 3-4): badges issued to a few
companies (one revoked by the centre), and a registered credit agency with an authorisation
and a few logged queries — one of them refused for want of an authorisation — so that
/admin/marks, /admin/agencies and the agency's statement have something to show."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.db.models import subjects
from gongxin.demo.codes import resident_id
from gongxin.demo.regions import HOME_CODE
from gongxin.errors import Conflict
from gongxin.market import agencies, agency_queries, trust_marks
from gongxin.market.trust_mark_keys import signing_key
from gongxin.settings import Settings

AGENCY = "示范信用征信有限公司"
ACTOR = "demo"
SHOPS = ("https://shop{}.example.com/", "https://www.example-mall.cn/store/{}")


@dataclass
class Made:
    marks: list[str] = field(default_factory=list)
    revoked: str | None = None
    agency: str | None = None
    queries: int = 0


def run(
    engine: sa.Engine, catalog: Catalog, settings: Settings, *, now: datetime, seed: int
) -> Made:
    """Issue the demo's marks and register its agency (nothing when the agency exists)."""
    rng = random.Random(seed)
    made = Made()
    with engine.begin() as conn:
        codes = list(conn.execute(
            sa.select(subjects.c.uscc).where(subjects.c.uscc.is_not(None),
                                             subjects.c.reg_status == "存续")
            .order_by(subjects.c.id).limit(40)
        ).scalars())  # fmt: skip
        rule = agencies.rules(settings.agency_rules)
        try:
            agency = agencies.register(
                conn, AGENCY, uscc=None, kind="personal", licence_no="银征字〔2026〕第 001 号",
                quota_per_day=settings.agency_quota_per_day, rule=rule, now=now, actor=ACTOR,
            )  # fmt: skip
        except Conflict:
            return made
        made.agency = agency.name
        key = signing_key(conn, settings.trust_mark_algorithm, settings.trust_mark_secret, now=now)
        mark_rule = trust_marks.rules(settings.trust_mark_rules)
        for n, code in enumerate(codes):
            if len(made.marks) == 4:
                break
            try:
                mark = trust_marks.issue(
                    conn, catalog, code, SHOPS[n % 2].format(n + 1), key=key, rule=mark_rule,
                    now=now, valid_days=settings.trust_mark_valid_days, actor=ACTOR,
                )  # fmt: skip
            except Conflict:  # on a serious list: no mark
                continue
            made.marks.append(mark.serial)
        if made.marks:
            made.revoked = made.marks[-1]
            trust_marks.revoke(conn, made.revoked, reason="网站经营内容与登记经营范围不符（演示）",
                               now=now, actor=ACTOR)  # fmt: skip
        person = resident_id(rng, HOME_CODE, date(1985, 6, 1), male=True)
        today = local_date(now)
        agencies.authorise(
            conn, agency, person_id=person, reference="SQ-DEMO-0001", purpose="loan",
            valid_from=today, valid_until=today + timedelta(days=365), rule=rule,
            match_key=settings.match_key, now=now, actor=ACTOR,
        )  # fmt: skip
        asked = [agency_queries.Query(c, "contract", "演示查询员") for c in codes[:3]]
        asked.append(agency_queries.Query(person, "loan", "演示查询员"))  # refused: no reference
        asked.append(agency_queries.Query(person, "loan", "演示查询员", "SQ-DEMO-0001"))
        for q in asked:
            agency_queries.run(
                conn, catalog, agency, q, rule=rule, match_key=settings.match_key,
                negative_years=settings.agency_negative_years, now=now, key_prefix=None,
            )  # fmt: skip
            made.queries += 1
    return made
