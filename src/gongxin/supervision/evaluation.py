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
from typing import TYPE_CHECKING, Any

from gongxin.subjects.names import normalise_name
from gongxin.supervision.model import LinkageModel
from gongxin.supervision.scoring import score, to_simplified

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

# Common characters of company names in traditional form (the perturbation's table).
TRADITIONAL = str.maketrans(
    "贸电发业东华国门广兴体务术经营销设计网络软资产农药医疗车运输实",
    "貿電發業東華國門廣興體務術經營銷設計網絡軟資產農藥醫療車運輸實",
)
BRANCHES = ("北京分公司", "分公司", "第一分店", "营业部")
REVIEW = -1  # a query whose best candidate goes to the review queue (``decide``)
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


def decide(
    model: LinkageModel,
    subjects: Sequence[tuple[int, str]],
    asked: Sequence[Query],
    *,
    spark: SparkSession | None = None,
) -> list[int | None]:
    """For each query, name-only against ``subjects``: the subject it is linked to
    automatically, ``REVIEW`` when it goes to review, None when nothing comes near."""
    left = [name_row(i, q.name) for i, q in enumerate(asked)]
    right = [name_row(sid, name) for sid, name in subjects]
    best: dict[int, list[tuple[float, float, int]]] = {}
    for pair in score(model, left, right, spark=spark):
        best.setdefault(int(pair["unique_id_l"]), []).append(
            (
                float(pair["match_weight"]),
                float(pair["match_probability"]),
                int(pair["unique_id_r"]),
            )
        )
    out: list[int | None] = []
    for i in range(len(asked)):
        found = sorted(best.get(i, []), reverse=True)
        if not found:
            out.append(None)
        elif found[0][1] >= model.thresholds.link and model.is_clear([w for w, _, _ in found]):
            out.append(found[0][2])
        else:
            out.append(REVIEW)
    return out


def tally(asked: Sequence[Query], decided: Sequence[int | None]) -> Result:
    """Precision and recall of the automatic links ``decided`` for ``asked``."""
    linked = sum(1 for d in decided if d is not None and d != REVIEW)
    correct = sum(1 for q, d in zip(asked, decided, strict=True) if d == q.truth)
    review = sum(1 for d in decided if d == REVIEW)
    return Result(len(asked), linked, correct, review)


def evaluate(
    model: LinkageModel,
    subjects: Sequence[tuple[int, str]],
    asked: Sequence[Query],
    *,
    spark: SparkSession | None = None,
) -> Result:
    """Link the queries name-only against ``subjects`` and count the automatic links."""
    return tally(asked, decide(model, subjects, asked, spark=spark))


def name_row(uid: int, name: str) -> dict[str, Any]:
    return {"unique_id": uid, "name_norm": to_simplified(normalise_name(name)), "reg_no": None,
            "org_code": None, "address": None, "legal_rep": None}  # fmt: skip
