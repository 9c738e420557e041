"""/admin/jobs: the scheduled jobs' runs, for the credit centre's admins only."""

from __future__ import annotations

from gongxin.worker import registry, runs
from tests.admin.conftest import Office


def test_the_centre_admin_reads_the_runs(office: Office) -> None:
    runs.tick(office.engine, office.settings, office.clock.now, force=True)
    office.login("root")
    page = office.client.get("/admin/jobs")
    assert page.status_code == 200
    assert 'href="/admin/jobs"' in page.text  # in the nav
    assert "变更订阅到期处理" in page.text and "timeliness-cache" in page.text
    assert page.text.count("成功 ok") == len(registry.jobs())
    assert "邮件发送" in page.text and "异议与信用修复期限提醒" in page.text
    assert "经济运行监测数据刷新" in page.text
    for other in ("boss", "clerk", "eye"):
        office.login(other)
        assert office.client.get("/admin/jobs").status_code == 403
