"""Backtest: how well a run's grades foresaw later 失信 events.

Given a complete run on day D, a subject *defaults* when a record of one of the event datasets
(default: the 失信 lists) has its event date in (D, D + horizon]. The report gives the default
rate per grade (best grade first), whether the rates rise monotonically as grades worsen, and
the AUC of the score (the chance that a subject who defaulted scored lower than one who did
not; 0.5 is a coin, 1.0 perfect). A centre compares models by these figures on the same
history. ``svg_chart`` draws the default rates as a server-rendered bar chart.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from gongxin.analytics.evaluation import get_run
from gongxin.db.evaluation_tables import evaluation_results
from gongxin.db.models import records
from gongxin.errors import InvalidInput

EVENTS = (
    "serious_dishonest_list",
    "dishonest_debtor",
    "tax_violation",
    "gov_procurement_violation",
)


@dataclass(frozen=True)
class GradeRate:
    grade: str
    subjects: int
    defaults: int

    @property
    def rate(self) -> float:
        return self.defaults / self.subjects if self.subjects else 0.0


@dataclass(frozen=True)
class Backtest:
    run_id: int
    model: str
    version: str
    as_of: date
    until: date
    events: tuple[str, ...]
    grades: list[GradeRate]
    monotonic: bool
    auc: float | None  # None when nobody (or everybody) defaulted


def auc(scores: Sequence[float], defaulted: Sequence[bool]) -> float | None:
    """P(score of a defaulter < score of a non-defaulter), ties counting half (Mann-Whitney)."""
    pairs = sorted(zip(scores, defaulted, strict=True))
    bad = sum(1 for _, d in pairs if d)
    good = len(pairs) - bad
    if bad == 0 or good == 0:
        return None
    wins, i, good_above = 0.0, 0, good
    while i < len(pairs):  # walk score groups from the lowest score up
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        group_bad = sum(1 for _, d in pairs[i:j] if d)
        group_good = (j - i) - group_bad
        good_above -= group_good
        wins += group_bad * (good_above + group_good / 2)
        i = j
    return wins / (bad * good)


def monotonic(rates: Sequence[GradeRate]) -> bool:
    """Default rates never fall from a better grade to a worse one (grades with subjects)."""
    seen = [r.rate for r in rates if r.subjects]
    return all(a <= b for a, b in itertools.pairwise(seen))


def run(
    conn: sa.Connection, run_id: int, *, horizon_days: int = 365, events: Sequence[str] = EVENTS
) -> Backtest:
    if not 1 <= horizon_days <= 3660:
        raise InvalidInput(
            f"回测期限须为 1–3660 天：{horizon_days}",
            f"horizon must be 1–3660 days: {horizon_days}",
        )
    evaluated = get_run(conn, run_id)
    until = evaluated.as_of + timedelta(days=horizon_days)
    defaulters = set(
        conn.scalars(
            sa.select(records.c.subject_id)
            .where(
                records.c.subject_id.is_not(None),
                records.c.dataset.in_(list(events)),
                records.c.event_date > evaluated.as_of,
                records.c.event_date <= until,
            )
            .distinct()
        )
    )
    order = [g["grade"] for g in evaluated.definition["grades"]]
    counts = {g: [0, 0] for g in order}
    scores: list[float] = []
    flags: list[bool] = []
    for subject_id, score, grade in conn.execute(
        sa.select(
            evaluation_results.c.subject_id, evaluation_results.c.score, evaluation_results.c.grade
        ).where(evaluation_results.c.run_id == run_id)
    ):
        hit = subject_id in defaulters
        counts.setdefault(grade, [0, 0])
        counts[grade][0] += 1
        counts[grade][1] += int(hit)
        scores.append(float(Decimal(score)))
        flags.append(hit)
    rates = [GradeRate(g, n, d) for g, (n, d) in counts.items()]
    return Backtest(
        run_id, evaluated.model, evaluated.model_version, evaluated.as_of, until, tuple(events),
        rates, monotonic(rates), auc(scores, flags),
    )  # fmt: skip


def svg_chart(bars: Sequence[tuple[str, float]], *, title: str, percent: bool = True) -> str:
    """A small bar chart as inline SVG (no script, no CDN): one bar per label."""
    width, height, left, bottom = 60 * max(len(bars), 1) + 60, 220, 50, 30
    top = max((v for _, v in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{html.escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#555"/>',
    ]
    for n, (label, value) in enumerate(bars):
        h = (height - bottom - 30) * value / top
        x = left + 10 + n * 60
        shown = f"{value:.1%}" if percent else f"{value:,.0f}"
        parts += [
            f'<rect x="{x}" y="{height - bottom - h:.1f}" width="40" height="{h:.1f}" '
            f'fill="#c0392b"><title>{html.escape(label)}: {shown}</title></rect>',
            f'<text x="{x + 20}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="12">{html.escape(label)}</text>',
            f'<text x="{x + 20}" y="{height - bottom - h - 4:.1f}" text-anchor="middle" '
            f'font-size="11">{shown}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def report_html(result: Backtest) -> str:
    """The backtest as one self-contained HTML page with its chart."""
    rows = "".join(
        f"<tr><td>{html.escape(r.grade)}</td><td>{r.subjects:,}</td><td>{r.defaults:,}</td>"
        f"<td>{r.rate:.2%}</td></tr>"
        for r in result.grades
    )
    auc_text = "—（无违约或全部违约）" if result.auc is None else f"{result.auc:.3f}"
    chart = svg_chart([(r.grade, r.rate) for r in result.grades], title="各等级违约率")
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        f"<title>评价回测 {html.escape(result.model)}</title><body>"
        f"<h1>评价回测 Backtest：{html.escape(result.model)}（{html.escape(result.version)}）</h1>"
        f"<p>评价 run {result.run_id}，评价日期 {result.as_of}，观察至 {result.until}；"
        f"失信事件 (events)：{html.escape('、'.join(result.events))}</p>"
        f"<p>AUC：{auc_text}；违约率随等级单调 (monotonic)："
        f"{'是 yes' if result.monotonic else '否 no'}</p>{chart}"
        "<table><thead><tr><th>等级</th><th>主体数</th><th>违约</th><th>违约率</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )
