"""The branding settings (GONGXIN_BRAND_*) name the back office too: every page's title and
header carry the locality and platform, its footer the 主办单位, 承办单位 and contacts."""

from __future__ import annotations

from pathlib import Path

from gongxin.settings import Settings
from tests.admin.conftest import Office, serve

BRAND = {
    "brand_locality": "示范市",
    "brand_host": "示范市发展和改革委员会",
    "brand_organiser": "示范市公共信用信息中心",
    "brand_phone": "010-12345678",
    "brand_site_code": "1100000001",
}


def test_back_office_pages_carry_the_branding(office: Office, tmp_path: Path) -> None:
    settings = Settings(database_url=office.settings.database_url, var_dir=tmp_path, **BRAND)
    for branded in serve(office.engine, settings):
        login = branded.client.get("/admin/login")
        assert "· 示范市公共信用信息平台 后台管理</title>" in login.text
        assert branded.login("clerk").status_code == 303
        for path in ("/admin", "/admin/submissions", "/admin/credit-check", "/admin/catalog"):
            page = branded.client.get(path)
            assert page.status_code == 200, path
            assert "示范市公共信用信息平台 · 后台管理</a>" in page.text, path
            assert "主办单位：示范市发展和改革委员会" in page.text, path
            assert "承办单位：示范市公共信用信息中心" in page.text, path
            assert "010-12345678" in page.text and "网站标识码：1100000001" in page.text, path
            assert "公信 · 后台管理" not in page.text, path


def test_without_branding_the_back_office_is_named_after_the_default_platform(
    office: Office,
) -> None:
    assert office.login("clerk").status_code == 303
    page = office.client.get("/admin")
    assert "公共信用信息平台 · 后台管理</a>" in page.text
    assert "主办单位" not in page.text
