"""/admin/evaluation: each model's current run with its grade distribution as a chart, for the
credit centre's admins only."""

from __future__ import annotations

import html
import json
import re
from datetime import date

from gongxin.analytics import evaluation, evaluation_model
from gongxin.catalog.registry import load_catalog
from gongxin.db.models import subjects
from tests.admin.conftest import Office


def test_the_centre_admin_sees_the_grade_distribution(office: Office) -> None:
    model = evaluation_model.get_model("four_grade", load_catalog())
    office.login("root")
    before = office.client.get("/admin/evaluation")
    assert before.status_code == 200 and "尚未评价" in before.text
    with office.engine.begin() as conn:  # three firms, no records: all at the base score
        conn.execute(
            subjects.insert(),
            [{"uscc": f"9135010000000{n:04d}X", "name": f"企业{n}", "name_norm": f"企业{n}",
              "created_at": office.clock.now, "updated_at": office.clock.now} for n in range(3)],
        )  # fmt: skip
    made = evaluation.evaluate(office.engine, model, as_of=date(2026, 1, 1), now=office.clock.now)
    page = office.client.get("/admin/evaluation").text
    assert 'href="/admin/evaluation"' in page
    assert f"评价 {made.run_id}" in page and "/static/vendor/echarts/echarts.min.js" in page
    assert made.grades, "the office store has subjects to grade"
    found = re.search(r"data-chart='([^']*)'", page)
    assert found is not None
    chart = json.loads(html.unescape(found.group(1)))  # what ECharts draws, one bar per grade
    assert chart["labels"] == [g.grade for g in model.grades]
    assert dict(zip(chart["labels"], chart["values"], strict=True)) == {
        g.grade: made.grades.get(g.grade, 0) for g in model.grades
    }
    for other in ("boss", "clerk", "eye"):
        office.login(other)
        assert office.client.get("/admin/evaluation").status_code == 403
