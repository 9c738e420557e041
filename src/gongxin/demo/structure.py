"""Registration details with realistic structure, for the related-party graph and warnings.

On top of each subject's own facts (``subjects.py``) the demo draws, reproducibly from the
seed: registration status, authority, business term, industry and region codes, phone, e-mail,
investors and a change log, with the structure supervision looks for:

- people who represent several companies (a pool of serial legal representatives);
- address clusters (多户同址): a few addresses shared by many firms;
- shell-company groups: firms sharing representative, phone and address, small capital;
- changes of legal representative, some of them frequent;
- a statistical anomaly: six clothing firms (服装, GB/T 4754 C18) in one district, each given a
  recent market-supervision penalty (``Details.planted``), beside ten clothing firms elsewhere
  that get only the ordinary chance of one (their peers).

The planted cases of the warning rules are the first groups, so a demo of any size has at
least one of each.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from gongxin.demo import names
from gongxin.demo.regions import address
from gongxin.demo.subjects import Details, Person, Subject, make_person

# GB/T 4754-2017 class codes by the demo's industry word (门类字母 + 4 digits).
INDUSTRY_CODES = {
    "科技": "I6513",
    "信息技术": "I6531",
    "商贸": "F5139",
    "餐饮管理": "H6210",
    "食品": "F5126",
    "建筑工程": "E4790",
    "装饰工程": "E5010",
    "物流": "G5430",
    "文化传媒": "L7251",
    "医药": "F5251",
    "投资管理": "L7212",
    "房地产开发": "K7010",
    "服装": "C1819",
}
ANOMALY_WORD, ANOMALY_CELL, ANOMALY_PEERS = "服装", 6, 10
STATUSES = (("存续", 0.86), ("在业", 0.92), ("吊销", 0.96), ("注销", 1.0))
EXITED = ("吊销", "注销")


def _exit(s: Subject, as_of: date) -> date:
    """The day an exited firm left: its age at exit drawn with the hazard of the SAIC survival
    report (low in year 1, highest in year 3, long tail), never after ``as_of``. Drawn from the
    subject's own generator, so the seed's other draws stay as they were."""
    own = random.Random(f"exit:{s.code}:{s.reg_date.isoformat()}")
    years = 0.3 + own.gammavariate(2.4, 1.3)
    day = s.reg_date + timedelta(days=max(30, int(years * 365.25)))
    if day > as_of:  # a young firm that exited already: some day of its short life
        day = s.reg_date + timedelta(days=int(own.random() * (as_of - s.reg_date).days))
    return day


def _industry(subject: Subject) -> str | None:
    return next((code for word, code in INDUSTRY_CODES.items() if word in subject.name), None)


def _phone(rng: random.Random) -> str:
    return f"010-{rng.randint(6000_0000, 8999_9999)}"


def structure(rng: random.Random, registered: list[Subject], as_of: date) -> list[Subject]:
    """The subjects with shared representatives and addresses, each with its details."""
    companies = [i for i, s in enumerate(registered) if s.kind == "company"]
    out = list(registered)
    serial = [make_person(rng, as_of) for _ in range(max(2, len(companies) // 40))]
    clusters = [f"{registered[0].region.city}{registered[0].region.district}集中办公区{n}号楼"
                for n in range(1, max(2, len(companies) // 60) + 1)]  # fmt: skip
    shell_groups = max(1, len(companies) // 50)
    shells: dict[int, tuple[Person, str, str]] = {}
    for g in range(shell_groups):  # groups of four sharing rep, phone and address
        rep, phone = make_person(rng, as_of), _phone(rng)
        addr = f"{registered[0].region.city}某商务中心{g + 1}0{g + 1}室"
        for i in companies[g * 4 : g * 4 + 4]:
            shells[i] = (rep, phone, addr)
    planted_cluster = [i for i in companies if i not in shells][:6]  # 多户同址 above 5
    for i in companies:
        s = out[i]
        if i in shells:
            rep, _, addr = shells[i]
            out[i] = replace(s, legal_rep=rep, address=addr, capital="1(万元人民币)")
            continue
        if i in planted_cluster:
            out[i] = replace(s, address=clusters[0])
            continue
        roll = rng.random()
        if roll < 0.12:
            out[i] = replace(s, legal_rep=rng.choice(serial))
        elif roll < 0.18:
            out[i] = replace(s, address=rng.choice(clusters))
    cell, peers = _anomaly(rng, out, [i for i in companies if i not in shells
                                       and i not in planted_cluster])  # fmt: skip
    made = []
    for i, s in enumerate(out):
        details = _details(rng, s, shells.get(i), out, as_of)
        if i in cell or i in peers:  # in business, so that they count
            details = replace(details, status="存续", planted=i in cell, exit_date=None)
        made.append(replace(s, details=details))
    return made


def _renamed(s: Subject, word: str, taken: set[str]) -> Subject | None:
    """The firm as one of the trade ``word``: its name's industry word and scope replaced."""
    old = max((w for w, _ in names.INDUSTRIES if w in s.name), key=len, default=None)
    if old is None:
        return None
    name = s.name.replace(old, word, 1)
    if name in taken:
        return None
    taken.add(name)
    return replace(s, name=name, scope=dict(names.INDUSTRIES)[word])


def _anomaly(rng: random.Random, out: list[Subject], free: list[int]) -> tuple[set[int], set[int]]:
    """The planted anomaly (changes ``out``): the cell's firms, moved to one home district,
    and their peers elsewhere. Returns their indexes."""
    taken = {s.name for s in out}
    home = [i for i in free if out[i].region.is_home]
    cell: set[int] = set()
    peers: set[int] = set()
    if not home:
        return cell, peers
    region = out[home[0]].region
    for i in home:
        s = out[i]
        if len(cell) < ANOMALY_CELL:  # moved here (a firm keeps its USCC when it moves)
            renamed = _renamed(replace(s, region=region, address=address(rng, region)),
                               ANOMALY_WORD, taken)  # fmt: skip
            target = cell
        elif len(peers) < ANOMALY_PEERS and s.region.code != region.code:
            renamed, target = _renamed(s, ANOMALY_WORD, taken), peers
        else:
            continue
        if renamed is not None:
            out[i] = renamed
            target.add(i)
    return cell, peers


def _details(
    rng: random.Random,
    s: Subject,
    shell: tuple[Person, str, str] | None,
    everyone: list[Subject],
    as_of: date,
) -> Details:
    roll = rng.random()
    status = next(name for name, share in STATUSES if roll < share)
    term = date(2099, 12, 31) if rng.random() < 0.7 else s.reg_date + timedelta(days=365 * 30)
    investors = f"{s.legal_rep.name}:100%"
    if s.kind == "company" and rng.random() < 0.25:
        parent = rng.choice(everyone)
        if parent.uscc and parent is not s:
            investors = f"{s.legal_rep.name}:40%;{parent.uscc}:60%"
    changes: list[str] = []
    frequent = shell is not None or rng.random() < 0.03
    for n in range(3 if frequent else (1 if rng.random() < 0.2 else 0)):
        day = as_of - timedelta(days=rng.randint(30, 300) if frequent else rng.randint(30, 3000))
        before = make_person(rng, as_of).name
        item = "法定代表人" if frequent or n % 2 == 0 else "住所"
        after = s.legal_rep.name if item == "法定代表人" else s.address
        changes.append(f"{max(day, s.reg_date).isoformat()}|{item}|{before}|{after}")
    return Details(
        status=status,
        exit_date=_exit(s, as_of) if status in EXITED else None,
        authority=f"{s.region.city}{s.region.district}市场监督管理局",
        term_end=term,
        industry=_industry(s),
        phone=shell[1] if shell else _phone(rng),
        email=f"contact{rng.randint(1000, 99999)}@example.cn" if rng.random() < 0.5 else None,
        investors=investors,
        changes=";".join(sorted(changes)),
    )
