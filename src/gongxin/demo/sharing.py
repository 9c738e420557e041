"""Demo sharing requests, so the back office's request pages and the exchange are not empty.

Three requests for the conditional dataset ``dishonest_debtor`` (有条件共享), made through the
request service as departments would: 市政务服务管理局's was approved by the provider (its grant
lets it read the granted fields), one of 市财政局's was refused with reasons, and 市财政局's
narrower second request is still pending — filed long enough before the demo date that its
reply deadline has passed, so it shows as overdue. The dataset gets its catalog provider
(市中级人民法院) assigned when it has none. Runs once: a store that already holds requests is
left alone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from gongxin import clock
from gongxin.catalog import providers
from gongxin.catalog.registry import Catalog
from gongxin.db.exchange_tables import share_requests
from gongxin.exchange import sharing_requests
from gongxin.exchange.sharing_requests import Request
from gongxin.identity import departments

DATASET = "dishonest_debtor"
PROVIDER = "市中级人民法院"
FINANCE = "市财政局"
GOV_SERVICE = "市政务服务管理局"
ACTOR = "cli"
NAME_FIELDS = ["MD_ZTMC", "MD_ZTLB", "MD_TYSHXYDM", "MD_AH", "MD_LRRQ", "MD_JHYCRQ", "MD_SJYCRQ"]
APPROVED_FIELDS = [*NAME_FIELDS, "MD_ZXYJWH", "MD_LXQK", "MD_LRYY"]
REFUSED_FIELDS = [*NAME_FIELDS, "MD_ZJLX", "MD_ZJHM", "MD_FDDBR"]
REFUSAL = (
    "所申请的自然人证件号码、法定代表人等信息项超出政府采购供应商资格审查所必需的范围"
    "（《中华人民共和国个人信息保护法》第三十四条），请缩小字段范围后重新申请"
)


def _at(day: date, hour: int) -> datetime:
    """``hour`` o'clock on ``day`` in China."""
    return datetime.combine(day, time(hour), clock.CHINA_TZ)


def _overdue_day(today: date, reply_days: int) -> date:
    """The latest day a request could have been filed and be overdue on ``today``."""
    day = today - timedelta(days=1)
    while clock.add_working_days(day, reply_days) >= today:
        day -= timedelta(days=1)
    return day


def run(engine: sa.Engine, catalog: Catalog, *, now: datetime, reply_days: int) -> list[Request]:
    """File, approve and refuse the demo requests; returns them (none when skipped)."""
    with engine.begin() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(share_requests)).scalar_one():
            return []
        by_name = {d.name: d for d in departments.all_departments(conn)}
        if not {PROVIDER, FINANCE, GOV_SERVICE} <= set(by_name) or DATASET not in catalog.codes():
            return []
        if not providers.providers_of(conn, DATASET):
            providers.assign(conn, catalog, DATASET, PROVIDER, now=now, actor=ACTOR)
        decider = providers.providers_of(conn, DATASET)[0]
        today = clock.local_date(now)
        filed = _overdue_day(today, reply_days)  # the pending one's day: past its deadline now
        until = today + timedelta(days=365)

        def submit(who: str, day: date, purpose: str, fields: list[str]) -> Request:
            return sharing_requests.submit(
                conn, catalog, by_name[who], dataset=DATASET, purpose=purpose, fields=fields,
                period_start=day, period_end=until, now=_at(day, 10), reply_days=reply_days,
                actor=ACTOR,
            )  # fmt: skip

        refused = submit(
            FINANCE, filed - timedelta(days=14), "政府采购供应商资格审查", REFUSED_FIELDS
        )
        sharing_requests.refuse(
            conn, refused.id, decider, reasons=REFUSAL, now=_at(filed - timedelta(days=10), 15),
            actor=ACTOR,
        )  # fmt: skip
        approved = submit(
            GOV_SERVICE, filed - timedelta(days=7), "告知承诺制审批前核查申请人是否为失信被执行人",
            APPROVED_FIELDS,
        )  # fmt: skip
        sharing_requests.approve(
            conn, approved.id, decider, now=_at(filed - timedelta(days=4), 16), actor=ACTOR,
            note="同意，仅限审批前核查使用",
        )  # fmt: skip
        pending = submit(
            FINANCE, filed, "政府采购供应商资格审查：核实投标供应商是否为失信被执行人", NAME_FIELDS
        )
        return [sharing_requests.get(conn, r.id) for r in (pending, approved, refused)]
