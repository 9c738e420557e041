"""Generating the demo: one file per department and dataset, for every dataset in the catalog.

>>> import tempfile
>>> files = generate(Path(tempfile.mkdtemp()), subjects=50, seed=1, as_of=date(2025, 6, 30))
>>> files[0].dataset, files[0].path.name, files[0].rows > 0
('registration', '01_registration.csv', True)

The same seed and ``as_of`` give the same bytes. Each file holds valid rows plus a share
``defect_rate`` of rows with one real defect each (see :mod:`gongxin.demo.defects`), and some
harmless variations that intake must accept.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog, load_catalog
from gongxin.demo import agencies, defects, lists, rows
from gongxin.demo.agencies import Agency
from gongxin.demo.fill import Ctx, Row, complete
from gongxin.demo.regions import Region
from gongxin.demo.subjects import PERSON, Person, Population, Subject, make_population
from gongxin.demo.writers import EXTENSIONS, DateStyle, Format, write

ALL_KINDS = ("company", "individual", "coop", "institution", "social", "collective", "other")
MARKET = ("company", "individual", "coop")
VARIATION_RATE = 0.06  # rows given a harmless variation (full-width code, N/A)
OUTSIDER_RATE = 0.02  # rows about subjects not in the registration file
PLANTED_WITHIN = 180  # days: the planted anomaly's penalties are this recent


@dataclass(frozen=True)
class DemoFile:
    dataset: str
    provider: str  # the department that submits it
    path: Path
    rows: int
    defects: int  # rows that intake must reject
    received_at: datetime | None = None  # when the department submits it (None: at load)
    backload: bool = False  # 存量补录: historical records, not judged for timeliness


def _fixed(agency: Agency) -> Callable[[Region], Agency]:
    return lambda _region: agency


@dataclass(frozen=True)
class Plan:
    """How one department's file of one dataset is made."""

    dataset: str
    provider: str  # department name in the platform
    fmt: Format
    builder: rows.Builder
    authority: Callable[[Region], Agency]
    share: float  # rows per registered subject
    persons: float = 0.0  # share of rows about natural persons, where the dataset has them
    kinds: tuple[str, ...] = ALL_KINDS
    repeat: bool = False  # a subject may have several records
    style: DateStyle = "slash"
    tag: str = ""  # distinguishes two files of one dataset
    minimum: int = 6
    home_only: bool = False  # decided by local bodies about local subjects only
    min_age: int = 0  # years a subject must have existed
    trades: tuple[str, ...] = ()  # words in the names of the subjects it prefers


SAMR_DEPT, TAX_DEPT, CENTRE = "市市场监督管理局", "市税务局", "市信用中心"
PLANS: tuple[Plan, ...] = (
    Plan("registration", SAMR_DEPT, "csv", rows.registration, agencies.samr, 1.0, style="dash"),
    Plan("licence", SAMR_DEPT, "xlsx", rows.market_licence, agencies.samr, 0.35, kinds=MARKET,
         repeat=True, home_only=True),
    Plan("licence", "市人力资源和社会保障局", "xlsx", rows.hrss_licence, _fixed(agencies.HRSS),
         0.03, kinds=("company",), tag="hrss", home_only=True, trades=("人力资源",)),
    Plan("penalty", SAMR_DEPT, "csv-gbk", rows.market_penalty, agencies.samr, 0.25,
         persons=0.03, repeat=True),
    Plan("penalty", "市生态环境局", "csv-bom", rows.environment_penalty, agencies.environment,
         0.04, persons=0.1, kinds=("company", "coop", "institution"), tag="env"),
    Plan("abnormal_list", SAMR_DEPT, "csv-bom", lists.abnormal_list, agencies.samr, 0.08,
         kinds=MARKET, home_only=True),
    Plan("serious_dishonest_list", SAMR_DEPT, "csv-bom", lists.serious_dishonest_list,
         agencies.samr, 0.015, kinds=MARKET, home_only=True),
    Plan("dishonest_debtor", "市中级人民法院", "jsonl", lists.dishonest_debtor, agencies.court,
         0.03, persons=0.3, style="dash"),
    Plan("tax_violation", TAX_DEPT, "csv-bom", lists.tax_violation,
         _fixed(agencies.TAX_INSPECTION), 0.01, persons=0.1, kinds=("company", "individual"),
         style="dash", home_only=True),
    Plan("tax_a", TAX_DEPT, "csv-bom", lists.tax_a, agencies.tax, 0.1, kinds=("company", "coop"),
         style="dash", home_only=True, min_age=3),
    Plan("gov_procurement_violation", CENTRE, "csv-bom", lists.gov_procurement_violation,
         _fixed(agencies.FINANCE), 0.008, kinds=("company",)),
    Plan("red_list", CENTRE, "csv-bom", lists.red_list, _fixed(agencies.CREDIT_CENTRE), 0.03,
         persons=0.1, kinds=("company", "coop"), home_only=True, min_age=2),
    Plan("commitment", CENTRE, "csv-bom", lists.commitment, agencies.service_centre, 0.12,
         persons=0.05, kinds=MARKET, home_only=True),
)  # fmt: skip


# Datasets whose demo rows another module writes as connected data (trace chains: demo/trace.py)
OWN_DEMO = frozenset({"trace_record"})
# Datasets that only a platform workflow writes (never a department's file): no demo file; the
# demo makes their records through the workflow (industry_evaluation: demo/ratings.py;
# complaint: demo/complaints.py).
WORKFLOW_DATASETS = frozenset({"industry_evaluation", "complaint"})


def plans_for(catalog: Catalog) -> list[Plan]:
    """The plans of the catalog's datasets; a dataset without one gets a generic plan (except
    those of :data:`OWN_DEMO` and :data:`WORKFLOW_DATASETS`)."""
    known = {p.dataset for p in PLANS} | OWN_DEMO | WORKFLOW_DATASETS
    chosen = [p for p in PLANS if p.dataset in catalog]
    for spec in catalog.specs():
        if spec.code not in known:
            generic = _fixed(agencies.CREDIT_CENTRE)
            chosen.append(Plan(spec.code, CENTRE, "csv-bom", lists.generic, generic, 0.03))
    return chosen


def _takes_persons(spec: DatasetSpec) -> bool:
    keys = spec.subject_keys
    if keys.person_id is None or keys.category is None:
        return False
    return PERSON in (spec.field(keys.category).values or [])


def _allowed_categories(spec: DatasetSpec) -> set[str] | None:
    keys = spec.subject_keys
    return set(spec.field(keys.category).values or []) if keys.category else None


def _counterparts(
    plan: Plan, spec: DatasetSpec, pop: Population, rng: random.Random, as_of: date
) -> list[Subject | Person]:
    if spec.subject_role == "registration":
        return list(pop.registered)
    allowed = _allowed_categories(spec)

    born_by = as_of - timedelta(days=round(365.25 * plan.min_age))

    def fits(s: Subject) -> bool:
        return (
            bool(s.uscc)
            and s.kind in plan.kinds
            and (allowed is None or s.category in allowed)
            and (s.region.is_home or not plan.home_only)
            and s.reg_date <= born_by
        )

    eligible = [s for s in pop.registered if fits(s)]
    preferred = [s for s in eligible if any(w in s.name for w in plan.trades)]
    if len(preferred) >= plan.minimum:
        eligible = preferred
    count = max(plan.minimum, round(plan.share * len(pop.registered)))
    chosen: list[Subject | Person] = []
    if eligible:
        if plan.repeat:
            chosen.extend(rng.choice(eligible) for _ in range(count))
        else:
            chosen.extend(rng.sample(eligible, min(count, len(eligible))))
    outsiders = [s for s in pop.outsiders if fits(s)] or [s for s in pop.outsiders if s.uscc]
    take = max(1, round(OUTSIDER_RATE * count))
    chosen.extend(rng.sample(outsiders, min(take, len(outsiders))))
    if plan.persons and _takes_persons(spec):
        take = max(1, round(plan.persons * count))
        chosen.extend(rng.sample(pop.persons, min(take, len(pop.persons))))
    if _plants_anomaly(plan):
        chosen.extend(s for s in pop.registered if s.details is not None and s.details.planted)
    rng.shuffle(chosen)
    return chosen


def _plants_anomaly(plan: Plan) -> bool:
    """The market-supervision penalties carry the planted penalty-rate anomaly."""
    return plan.dataset == "penalty" and plan.provider == SAMR_DEPT


def _removal_field(spec: DatasetSpec) -> str | None:
    """The actual-removal date of a list (实际移出日期), if it has one."""
    for f in spec.fields:
        if f.type == "date" and f.not_after_today and f.not_before and "移出" in f.name:
            return f.code
    return None


def build_rows(
    plan: Plan, spec: DatasetSpec, pop: Population, rng: random.Random, as_of: date
) -> list[Row]:
    provider = agencies.BY_NAME[plan.provider].agency

    def build(seq: int, who: Subject | Person, *, must_remove: bool = False) -> Row:
        person = who if isinstance(who, Person) else None
        subject = who if isinstance(who, Subject) else None
        ctx = Ctx(rng, as_of, seq, subject, person, plan.authority(who.region), provider)
        ctx.must_remove = must_remove
        planted = subject is not None and subject.details is not None and subject.details.planted
        if planted and _plants_anomaly(plan):
            ctx.within_days = PLANTED_WITHIN
        return complete(spec, plan.builder(ctx), ctx)

    who = _counterparts(plan, spec, pop, rng, as_of)
    out = [build(seq, w) for seq, w in enumerate(who, 1)]
    removed = _removal_field(spec)
    if removed and out and not any(row.get(removed) for row in out):
        # every list shows at least one removal: rebuild the first listing as a removed one
        for _ in range(20):
            row = build(1, who[0], must_remove=True)
            if row.get(removed):
                out[0] = row
                break
    return out


def spoil(
    spec: DatasetSpec,
    data: list[Row],
    rng: random.Random,
    rate: float,
    marked: set[int] | None = None,
) -> int:
    """Give a share ``rate`` of the rows one defect each, and some others a harmless variation.
    Returns the number of defective rows (their indices are added to ``marked``)."""
    count = round(len(data) * rate)
    if rate > 0 and count == 0 and len(data) >= 10:
        count = 1
    broken = set(rng.sample(range(len(data)), count))
    made = 0
    used: dict[str, int] = {}  # the kinds take turns, so every kind a file allows shows up
    for i, row in enumerate(data):
        if i in broken:
            kinds = defects.applicable(spec, row)
            if kinds:
                fewest = min(used.get(k, 0) for k in kinds)
                kind = rng.choice([k for k in kinds if used.get(k, 0) == fewest])
                used[kind] = used.get(kind, 0) + 1
                defects.inject(kind, spec, row, rng)
                made += 1
                if marked is not None:
                    marked.add(i)
        elif rng.random() < VARIATION_RATE:
            defects.vary(spec, row, rng)
    return made


def generate(
    out_dir: Path,
    *,
    subjects: int,
    seed: int,
    as_of: date,
    defect_rate: float = 0.03,
    catalog: Catalog | None = None,
) -> list[DemoFile]:
    """Write the demo files into ``out_dir``; registration comes first in the result."""
    catalog = catalog or load_catalog()
    out_dir.mkdir(parents=True, exist_ok=True)
    pop = make_population(seed, subjects, as_of)
    moment = datetime.combine(as_of, time(9, 0))
    files = []
    for number, plan in enumerate(plans_for(catalog), 1):
        spec = catalog.get(plan.dataset)
        rng = random.Random(f"{seed}:{plan.dataset}:{plan.tag}")
        data = build_rows(plan, spec, pop, rng, as_of)
        broken: set[int] = set()
        spoil(spec, data, rng, defect_rate, broken)
        bad_rows = {id(data[i]) for i in broken}
        tag = f"_{plan.tag}" if plan.tag else ""
        headers = [f.name for f in spec.fields]
        codes = [f.code for f in spec.fields]
        batches = _batches(spec, data, rng, as_of) if plan.dataset in OVER_TIME else [(None, data)]
        for part, (when, chunk) in enumerate(batches):
            suffix = "" if when is None else f"_{part:02d}"
            path = out_dir / f"{number:02d}_{plan.dataset}{tag}{suffix}.{EXTENSIONS[plan.fmt]}"
            made = moment if when is None else datetime.combine(when.date(), time(9, 0))
            write(plan.fmt, path, headers, codes, chunk, style=plan.style, sheet=spec.name,
                  moment=made)  # fmt: skip
            n_bad = sum(id(row) in bad_rows for row in chunk)
            files.append(
                DemoFile(plan.dataset, plan.provider, path, len(chunk), n_bad,
                         received_at=when, backload=when is not None and part == 0)
            )  # fmt: skip
    return files


# -- submissions spread over time ------------------------------------------------------------

OVER_TIME = ("penalty", "licence")  # the 双公示 datasets, whose timeliness is published
HISTORY_DAYS = 120  # decisions older than this arrive as one back-load (存量补录)
LATE_SHARE = 0.12  # weekly batches a department sends late (after 7 working days)


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10].replace("/", "-"))
    except ValueError:
        return None


def _working_days_after(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _batches(
    spec: DatasetSpec, data: list[Row], rng: random.Random, as_of: date
) -> list[tuple[datetime | None, list[Row]]]:
    """A file's rows as the department would submit them: decisions older than HISTORY_DAYS
    in one back-load on the first day, then each week's decisions a few working days after
    the week (some batches late), none after ``as_of``. Rows without a readable date go with
    the back-load."""
    start = as_of - timedelta(days=HISTORY_DAYS)
    history: list[Row] = []
    weeks: dict[date, list[Row]] = {}
    for row in data:
        day = _day(row.get(spec.date_field or "")) if spec.date_field else None
        if day is None or day < start:
            history.append(row)
        else:
            weeks.setdefault(day - timedelta(days=day.weekday()), []).append(row)
    at = time(1, 30, tzinfo=UTC)  # 09:30 in Beijing
    out: list[tuple[datetime | None, list[Row]]] = [(datetime.combine(start, at), history)]
    for monday in sorted(weeks):
        late = rng.random() < LATE_SHARE
        delay = rng.randint(8, 20) if late else rng.randint(1, 5)
        sent = min(_working_days_after(monday + timedelta(days=4), delay), as_of)
        out.append((datetime.combine(sent, at), weeks[monday]))
    return out
