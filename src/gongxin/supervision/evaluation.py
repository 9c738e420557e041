"""The linkage model's evaluation set: real registrations with realistic perturbations.

Queries are names of registered subjects written the way department files write them wrong:
a typo (a character dropped or doubled), 有限公司 for 有限责任公司 or back, full-width brackets,
a branch suffix, traditional characters, stray spaces. Each query knows the subject it came
from. The set is drawn with its own seed from the registrations and never used to set the
model's probabilities (which are fixed in ``linkage_model.yaml``, not trained), so it stays
held out. ``evaluate`` links the queries name-only against the whole register and counts
automatic links: precision (links that are right), recall (queries linked right), F1.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gongxin.subjects.names import normalise_name
from gongxin.supervision.linkage import score, to_simplified
from gongxin.supervision.model import LinkageModel

# Common characters of company names in traditional form (the perturbation's table).
TRADITIONAL = str.maketrans(
    "贸电发业东华国门广兴体务术经营销设计网络软资产农药医疗车运输实",
    "貿電發業東華國門廣興體務術經營銷設計網絡軟資產農藥醫療車運輸實",
)
BRANCHES = ("北京分公司", "分公司", "第一分店", "营业部")
KINDS = ("typo", "legal_form", "brackets", "branch", "traditional", "spacing")


@dataclass(frozen=True)
class Query:
    name: str
    truth: int  # the subject id the name was made from
    kind: str


@dataclass(frozen=True)
class Result:
    queries: int
    linked: int
    correct: int
    review: int

    @property
    def precision(self) -> float:
        return self.correct / self.linked if self.linked else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.queries if self.queries else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def perturb(name: str, kind: str, rng: random.Random) -> str:
    if kind == "typo" and len(name) > 4:
        i = rng.randrange(2, len(name) - 2)
        return name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + name[i] + name[i:]
    if kind == "legal_form":
        if "有限责任公司" in name:
            return name.replace("有限责任公司", "有限公司")
        return name.replace("有限公司", "有限责任公司")
    if kind == "brackets":
        return name.replace("(", "（").replace(")", "）") if "(" in name else f"{name} "
    if kind == "branch":
        return name + rng.choice(BRANCHES)
    if kind == "traditional":
        return name.translate(TRADITIONAL)
    if kind == "spacing":
        i = rng.randrange(1, max(2, len(name) - 1))
        return name[:i] + " " + name[i:]
    return name


def queries(subjects: Sequence[tuple[int, str]], n: int, seed: int) -> list[Query]:
    """``n`` perturbed names of distinct subjects, each kind in turn."""
    rng = random.Random(f"{seed}:evaluation")
    chosen = rng.sample(list(subjects), min(n, len(subjects)))
    return [
        Query(perturb(name, KINDS[i % len(KINDS)], rng), sid, KINDS[i % len(KINDS)])
        for i, (sid, name) in enumerate(chosen)
    ]


def evaluate(
    model: LinkageModel, subjects: Sequence[tuple[int, str]], asked: Sequence[Query]
) -> Result:
    """Link the queries name-only against ``subjects`` and count the automatic links."""
    left: list[dict[str, Any]] = [
        {"unique_id": i, "name_norm": to_simplified(normalise_name(q.name)), "reg_no": None,
         "org_code": None, "address": None, "legal_rep": None}
        for i, q in enumerate(asked)
    ]  # fmt: skip
    right: list[dict[str, Any]] = [
        {"unique_id": sid, "name_norm": to_simplified(normalise_name(name)), "reg_no": None,
         "org_code": None, "address": None, "legal_rep": None}
        for sid, name in subjects
    ]  # fmt: skip
    best: dict[int, list[tuple[float, float, int]]] = {}
    for pair in score(model, left, right):
        best.setdefault(int(pair["unique_id_l"]), []).append(
            (
                float(pair["match_weight"]),
                float(pair["match_probability"]),
                int(pair["unique_id_r"]),
            )
        )
    linked = correct = review = 0
    for i, q in enumerate(asked):
        found = sorted(best.get(i, []), reverse=True)
        if not found:
            continue
        clear = model.is_clear([w for w, _, _ in found])
        if found[0][1] >= model.thresholds.link and clear:
            linked += 1
            correct += found[0][2] == q.truth
        else:
            review += 1
    return Result(len(asked), linked, correct, review)
