"""Reading demo files back the way intake does, without a database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from gongxin.catalog.registry import Catalog
from gongxin.demo import DemoFile
from gongxin.intake.mapping import resolve
from gongxin.intake.readers import open_table
from gongxin.intake.validate import Checked, RowValidator

AS_OF_DATE = date(2026, 5, 1)
AS_OF = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)

# The rule intake reports for each kind of defect the generator makes.
DEFECT_RULES = {
    "bad_check": ("GB 32100-2015 校验码", "subject_code"),
    "missing_required": ("required",),
    "bad_date": ("date_invalid",),
    "bad_enum": ("enum",),
    "negative_fine": ("negative",),
    "missing_fine": ("required_when",),
}


@dataclass
class CheckedFile:
    file: DemoFile
    headers: list[str]
    rows: list[tuple[list[Any], Checked]]  # raw cells and intake's verdict

    @property
    def rejected(self) -> int:
        return sum(1 for _, c in self.rows if c.data is None)

    @property
    def rules(self) -> Counter[str]:
        return Counter(p.rule for _, c in self.rows for p in c.errors)

    def accepted(self) -> Iterator[dict[str, Any]]:
        for _, c in self.rows:
            if c.data is not None:
                yield c.data

    def column(self, name: str) -> list[Any]:
        i = self.headers.index(name)
        return [cells[i] if i < len(cells) else None for cells, _ in self.rows]


def check(catalog: Catalog, f: DemoFile, as_of: datetime = AS_OF) -> CheckedFile:
    """Every row of a demo file as intake's validator judges it."""
    spec = catalog.get(f.dataset)
    with open_table(f.path) as table:
        validator = RowValidator(resolve(catalog, spec, table.headers), as_of)
        rows = [(list(r.values), validator.check(r)) for r in table.rows]
        return CheckedFile(f, list(table.headers), rows)
