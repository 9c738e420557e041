"""What a simulation reports: counts of what would change, by kind, and examples of each.

A simulation (仿真) runs a proposed rule change through the same gate and jobs the platform
runs, writes nothing, and answers with a :class:`Simulation`: how many records, grades,
warnings or credit checks would change, of which kind, and up to :data:`EXAMPLES` examples of
each kind, so that the centre can read and compare them before adopting the change.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

EXAMPLES = 5  # examples kept per kind of change

# the four kinds of rule change a simulation takes, with what each one's file is
KINDS = {
    "regimes": ("公示期规则", "publicity regimes (a folder of regime files)"),
    "model": ("评价模型", "evaluation or risk model (one YAML file)"),
    "warnings": ("预警规则", "warning rules (one YAML file)"),
    "memoranda": ("联合奖惩备忘录", "memoranda and measures (one YAML file)"),
}


@dataclass(frozen=True)
class Example:
    change: str  # the kind of change (a key of the simulation's labels)
    subject: str  # the subject's name, or its code
    what: str  # the record, model, rule or scene concerned
    before: str
    after: str


@dataclass
class Simulation:
    kind: str  # a key of KINDS
    source: str  # the file or folder simulated
    digest: str  # SHA-256 of its text: two runs of the same file say the same
    as_of: date
    engine: str  # duckdb, spark, or "gate" (records judged one by one)
    looked: int = 0  # records, subjects or entries judged
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # change kind → (zh, en)
    counts: Counter[str] = field(default_factory=Counter)
    examples: list[Example] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        """Everything counted: zero when the change would change nothing."""
        return sum(self.counts.values())

    def count(self, change: str, example: Example | None = None, n: int = 1) -> None:
        """Count ``n`` changes of kind ``change``, keeping ``example`` if few are kept yet."""
        self.counts[change] += n
        if example is not None and sum(e.change == change for e in self.examples) < EXAMPLES:
            self.examples.append(example)

    def to_dict(self) -> dict[str, Any]:
        zh, en = KINDS[self.kind]
        return {
            "kind": self.kind,
            "kind_zh": zh,
            "kind_en": en,
            "source": self.source,
            "digest": self.digest,
            "as_of": self.as_of.isoformat(),
            "engine": self.engine,
            "looked": self.looked,
            "changed": self.changed,
            "counts": [
                {"change": key, "zh": zh, "en": en, "count": self.counts[key]}
                for key, (zh, en) in self.labels.items()
            ],
            "examples": [asdict(e) for e in self.examples],
            "notes": list(self.notes),
        }


def digest_of(path: Path) -> str:
    """SHA-256 over a file, or over a folder's YAML files by name and text."""
    h = hashlib.sha256()
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()
