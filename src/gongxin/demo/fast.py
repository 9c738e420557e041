"""Many valid penalty rows, fast: the input of the intake benchmark.

Rows are assembled from precomputed pools: market entities with unique, valid USCCs; cases built
and completed by the ordinary demo builders (so every value obeys the spec), grouped by the
district bureau that decides them; and a few natural persons with a case each. A row is a
counterpart, a unique document number and a case of the counterpart's district. Every row is
valid and no two rows share a dedupe key, so intake must accept them all.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from gongxin.catalog.model import DatasetSpec, FieldSpec
from gongxin.catalog.registry import get_catalog
from gongxin.demo import agencies, names, rows
from gongxin.demo.fill import Ctx, complete
from gongxin.demo.regions import ELSEWHERE, HOME, REGIONS
from gongxin.demo.subjects import ENTITY, INDIVIDUAL, PERSON, make_person, make_subject
from gongxin.ids import orgcode, uscc

DOC_FIELD = "CF_WSH"
PERSON_EVERY = 40  # one row in this many is about a natural person
CASES_PER_BUCKET = 64
CHUNK = 50_000
Segments = tuple[str, ...]
Runs = list[tuple[str, list[int]]]  # column runs by source: S counterpart, W document, C case
Case = tuple[Segments, str]  # the case's runs and its document-number prefix
Entity = tuple[Segments, int]  # the counterpart's runs and the case bucket of its district


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = f"{value:%Y/%m/%d}" if isinstance(value, date) else str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _is_subject_field(spec: DatasetSpec, f: FieldSpec) -> bool:
    keys = spec.subject_keys
    own = {keys.name, keys.category, keys.uscc, keys.reg_no, keys.org_code, keys.person_id}
    return f.code in own or f.code.startswith(("CF_XDR_", "CF_FR"))


def _runs(spec: DatasetSpec) -> Runs:
    out: Runs = []
    for i, f in enumerate(spec.fields):
        kind = "W" if f.code == DOC_FIELD else "S" if _is_subject_field(spec, f) else "C"
        if out and out[-1][0] == kind and kind != "W":
            out[-1][1].append(i)
        else:
            out.append((kind, [i]))
    return out


def _segments(cells: Sequence[str], runs: Runs, kind: str) -> Segments:
    return tuple(",".join(cells[i] for i in idx) for k, idx in runs if k == kind)


def _cells(spec: DatasetSpec, values: Mapping[str, object]) -> list[str]:
    return [_cell(values.get(f.code)) for f in spec.fields]


def _templates(spec: DatasetSpec, runs: Runs, roles: dict[str, int]) -> list[str]:
    """Format strings of the counterpart runs, e.g. ``{0},{1},{2},,,,,,{3},,,,``."""
    out = []
    for kind, idx in runs:
        if kind == "S":
            codes = [spec.fields[i].code for i in idx]
            out.append(",".join(f"{{{roles[c]}}}" if c in roles else "" for c in codes))
    return out


class _UsccMaker:
    """Unique valid USCCs with all-digit organisation-code bodies, about a microsecond each.

    The i-th body is ``(start + i * 7919) mod 10**8`` (7919 is coprime to 10**8, so bodies never
    repeat); check characters come from weighted sums looked up per half body (GB 11714 for the
    organisation code, then GB 32100 for the whole code).
    """

    def __init__(self, start: int) -> None:
        self.start = start
        halves = [f"{n:04d}" for n in range(10_000)]
        ow, uw = orgcode.WEIGHTS, uscc.WEIGHTS

        def weighted(digits: str, weights: Sequence[int]) -> int:
            return sum(int(d) * w for d, w in zip(digits, weights, strict=True))

        self._org = ([weighted(h, ow[:4]) for h in halves], [weighted(h, ow[4:]) for h in halves])
        self._uscc = (
            [weighted(h, uw[8:12]) for h in halves],
            [weighted(h, uw[12:16]) for h in halves],
        )
        self._heads: dict[str, int] = {}

    def make(self, head: str, i: int) -> str:
        """The code for the 8-character ``head`` (authority, category, region) and body ``i``."""
        body = (self.start + i * 7919) % 10**8
        hi, lo = divmod(body, 10_000)
        org_check = orgcode.CHECK_ALPHABET[(11 - (self._org[0][hi] + self._org[1][lo]) % 11) % 11]
        head_sum = self._heads.get(head)
        if head_sum is None:
            head_sum = self._heads[head] = sum(
                uscc.ALPHABET.index(c) * w for c, w in zip(head, uscc.WEIGHTS, strict=False)
            )
        total = (
            head_sum
            + self._uscc[0][hi]
            + self._uscc[1][lo]
            + uscc.ALPHABET.index(org_check) * uscc.WEIGHTS[16]
        )
        return f"{head}{body:08d}{org_check}{uscc.ALPHABET[(31 - total % 31) % 31]}"


def _entities(spec: DatasetSpec, runs: Runs, rng: random.Random, count: int) -> list[Entity]:
    """Companies (91) and 个体工商户 (92) with unique, valid USCCs, each with the index of the
    case bucket of its district (the last bucket for subjects from elsewhere)."""
    keys = spec.subject_keys
    roles = {c: n for n, c in enumerate((keys.name, keys.category, keys.uscc, "CF_FRDB")) if c}
    templates = _templates(spec, runs, roles)
    weights = [0.85 / len(HOME) if r.is_home else 0.15 / len(ELSEWHERE) for r in REGIONS]
    bucket = {r: HOME.index(r) if r.is_home else len(HOME) for r in REGIONS}
    given = [rng.choice(names.GIVEN) + rng.choice(("", *names.GIVEN)) for _ in range(600)]
    columns = zip(
        rng.choices(REGIONS, weights, k=count),
        rng.choices((True, False), (85, 15), k=count),
        rng.choices([a + b for a in names.TRADE for b in names.TRADE if a != b], k=count),
        rng.choices([w for w, _ in names.INDUSTRIES], k=count),
        rng.choices(("有限公司", "有限公司", "有限责任公司", "股份有限公司"), k=count),
        rng.choices([w for w, _ in names.SHOPS], k=count),
        map(str.__add__, rng.choices(names.SURNAMES, k=count), rng.choices(given, k=count)),
        strict=True,
    )
    codes = _UsccMaker(rng.randrange(10**8))
    out = []
    for i, (region, company, trade, industry, suffix, shop, rep) in enumerate(columns):
        place = region.city.removesuffix("市")
        if company:
            category, head = ENTITY, f"91{region.code}"
            name = f"{place}{trade}{industry}{suffix}"
            if i % 4 == 0:
                name = f"{trade}({place}){industry}{suffix}"
        else:
            category, head = INDIVIDUAL, f"92{region.code}"
            name = f"{region.prefix}{trade}{shop}"
        # names hold no comma or quote: no CSV quoting needed
        values = (name, category, codes.make(head, i), rep)
        out.append((tuple([t.format(*values) for t in templates]), bucket[region]))
    return out


def _case(spec: DatasetSpec, runs: Runs, ctx: Ctx) -> Case:
    row = complete(spec, rows.market_penalty(ctx), ctx)
    doc = str(row[DOC_FIELD])
    return _segments(_cells(spec, row), runs, "C"), doc[: doc.index("〕") + 1]


def _cases(spec: DatasetSpec, runs: Runs, rng: random.Random, as_of: date) -> list[list[Case]]:
    """Cases (with their authority and dates) by bucket: one per home district, then the city."""
    taken: set[str] = set()
    dummies = [make_subject(rng, as_of, taken, legacy_share=0.0) for _ in range(40)]
    dummies = [replace(d, reg_date=date(2000, 1, 1)) for d in dummies if d.uscc]
    out = []
    for region in (*HOME, ELSEWHERE[0]):
        bucket = []
        for seq in range(CASES_PER_BUCKET):
            subject = replace(rng.choice(dummies), region=region)
            ctx = Ctx(rng, as_of, seq, subject, None, agencies.samr(region), agencies.SAMR)
            bucket.append(_case(spec, runs, ctx))
        out.append(bucket)
    return out


def _persons(
    spec: DatasetSpec, runs: Runs, rng: random.Random, count: int, as_of: date
) -> list[tuple[Segments, Case]]:
    """Natural persons, each with a case of their own."""
    keys = spec.subject_keys
    id_type = next((f.id_type_field for f in spec.fields if f.code == keys.person_id), None)
    out = []
    for seq in range(count):
        person = make_person(rng, as_of)
        pairs = (
            (keys.name, person.name),
            (keys.category, PERSON),
            (keys.person_id, person.id_number),
            (id_type, "身份证"),
        )
        values = {code: value for code, value in pairs if code}
        ctx = Ctx(rng, as_of, seq, None, person, agencies.samr(person.region), agencies.SAMR)
        out.append((_segments(_cells(spec, values), runs, "S"), _case(spec, runs, ctx)))
    return out


def _assemble(runs: Runs, who: Segments, doc: str, case: Segments) -> str:
    parts, s, c = [], iter(who), iter(case)
    for kind, _ in runs:
        parts.append(next(s) if kind == "S" else next(c) if kind == "C" else doc)
    return ",".join(parts) + "\n"


def write_penalty_csv(
    path: Path, rows: int, seed: int, as_of: date, subjects: int = 50_000
) -> None:
    """Write ``rows`` valid penalty rows (UTF-8 CSV, the current national layout) to ``path``,
    about ``subjects`` distinct market entities plus a few natural persons."""
    spec = get_catalog().get("penalty")
    runs = _runs(spec)
    rng = random.Random(f"{seed}:fast-penalty")
    entities = _entities(spec, runs, rng, max(1, subjects))
    persons = _persons(spec, runs, rng, min(250, max(1, subjects // 50)), as_of)
    cases = _cases(spec, runs, rng, as_of)
    simple = [k for k, _ in runs] == ["S", "W", "C"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(_cell(f.name) for f in spec.fields) + "\n")
        done = 0
        while done < rows:
            n = min(CHUNK, rows - done)
            who = rng.choices(entities, k=n)
            picks = rng.choices(range(CASES_PER_BUCKET), k=n)
            lines = []
            for i, (s, b), k in zip(range(done + 1, done + n + 1), who, picks, strict=True):
                c, doc = cases[b][k]
                if simple:
                    lines.append(f"{s[0]},{doc}{i}号,{c[0]}\n")
                else:
                    lines.append(_assemble(runs, s, f"{doc}{i}号", c))
            for j in range(PERSON_EVERY - 1, n, PERSON_EVERY):
                s, (c, doc) = rng.choice(persons)
                lines[j] = _assemble(runs, s, f"{doc}{done + j + 1}号", c)
            out.write("".join(lines))
            done += n
