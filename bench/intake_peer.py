"""The intake benchmark's peer, and gongxin's side of the same work.

Frictionless (what CKAN's validation extension runs) only validates: it reads the file and
checks each cell against a Table Schema, and stores nothing. ``run_frictionless`` times its
``validate`` with a schema carrying the catalog's types, required fields, lengths, value lists
and code shapes; ``run_validation`` times gongxin doing that part alone — reading the file and
checking every row against the catalog (``intake.validate.RowValidator``, in the intake's
batches), with nothing keyed, linked, decided or stored — so that the two halves of an intake,
validating and storing, can each be held against their own baseline.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any


def table_schema(dataset: str = "penalty") -> dict[str, Any]:
    """A Frictionless Table Schema for the catalog's ``dataset``, as close to its rules as the
    Table Schema can say: types, required fields, lengths, value lists, the shape (pattern) of
    codes. (The check characters of codes, conditional rules and cross-field dates are beyond
    it: gongxin checks more than this schema does.)"""
    from gongxin.catalog.registry import get_catalog
    from gongxin.ids import uscc

    shapes = {
        "uscc": f"[{''.join(uscc.AUTHORITIES)}][0-9]{{7}}[{uscc.ALPHABET}]{{10}}",
        "reg_no": "[0-9]{15}",
        "org_code": "[0-9A-Z]{8}-?[0-9X]",
    }
    fields = []
    for f in get_catalog().get(dataset).fields:
        field: dict[str, Any] = {"name": f.name, "type": "string"}
        constraints: dict[str, Any] = {}
        if f.required:
            constraints["required"] = True
        if f.type == "date":
            field.update(type="date", format="%Y/%m/%d")
        elif f.type == "decimal":
            field["type"] = "number"
        elif f.type in shapes:
            constraints["pattern"] = shapes[f.type]
        elif f.type == "enum" and f.values and not f.multiple and not f.other_prefix:
            constraints["enum"] = [*f.values, *f.value_aliases]
        if f.max_length:
            constraints["maxLength"] = f.max_length
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields}


def run_frictionless(csv_path: Path, dataset: str) -> tuple[float, float, dict[str, Any]]:
    """Frictionless's ``validate`` of the file against ``table_schema()``: elapsed and CPU
    seconds, and what its report says (valid, rows, errors)."""
    from frictionless import Resource, Schema

    schema = Schema.from_descriptor(table_schema(dataset))
    started, cpu = time.perf_counter(), time.process_time()
    report = Resource(csv_path.name, basepath=str(csv_path.parent), schema=schema).validate()
    cpu_s = time.process_time() - cpu
    seconds = time.perf_counter() - started
    task = report.tasks[0]
    stats = {"valid": report.valid, "rows": task.stats.get("rows"), "errors": len(task.errors)}
    return seconds, cpu_s, stats


def run_validation(
    csv_path: Path, dataset: str, as_of: datetime, batch_rows: int
) -> tuple[float, float, dict[str, int]]:
    """gongxin's reading and checking of the file alone, as intake does them (the same reader,
    header map and validator, in batches of ``batch_rows``): elapsed and CPU seconds, and the
    rows read and passed."""
    from gongxin.catalog.registry import get_catalog
    from gongxin.intake.mapping import resolve
    from gongxin.intake.readers import open_table
    from gongxin.intake.validate import RowValidator

    catalog = get_catalog()
    spec = catalog.get(dataset)
    rows = passed = 0
    started, cpu = time.perf_counter(), time.process_time()
    with open_table(csv_path, filename=csv_path.name) as table:
        validator = RowValidator(resolve(catalog, spec, table.headers), as_of)
        batch = []
        for row in table.rows:
            batch.append(row)
            if len(batch) == batch_rows:
                passed += sum(c.data is not None for c in validator.check_batch(batch))
                rows += len(batch)
                batch = []
        passed += sum(c.data is not None for c in validator.check_batch(batch))
        rows += len(batch)
    cpu_s = time.process_time() - cpu
    return time.perf_counter() - started, cpu_s, {"rows": rows, "passed": passed}
