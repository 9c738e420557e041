"""Trust marks (网站可信标识): issued signed, verified live — valid, forged, expired, revoked,
suspended while the company is on a serious list — with the badge SVG following the verdict,
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from gongxin.db.market_access_tables import trust_marks as marks_table
from gongxin.errors import Conflict, InvalidInput
from gongxin.market import trust_marks
from gongxin.market.trust_mark_badge import snippet
from gongxin.market.trust_mark_keys import signing_key
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import AS_OF, catalog
from tests.sanctions.helpers import World, open_world
from tests.support.http import TestClient

SITE = "https://shop.example.com/"


@dataclass
class Site:
    world: World
    settings: Settings
    clock: list[datetime]

    def issue(self, code: str, days: int = 30, url: str = SITE) -> trust_marks.Mark:
        with self.world.engine.begin() as conn:
            key = signing_key(conn, self.settings.trust_mark_algorithm, None, now=self.clock[0])
            return trust_marks.issue(
                conn, catalog(), code, url, key=key, rule=trust_marks.rules(),
                now=self.clock[0], valid_days=days, actor="test",
            )  # fmt: skip

    def client(self) -> TestClient:
        app = create_app(self.settings)
        app.dependency_overrides[deps.get_now] = lambda: self.clock[0]
        return TestClient(app)


@pytest.fixture(scope="module")
def world(module_db_url: str) -> Iterator[World]:
    """One store for the module (migrating is the slow part); each test its own subjects."""
    yield from open_world(module_db_url)


def _site(world: World, tmp_path: Path, **settings: Any) -> Site:
    url = world.engine.url.render_as_string(hide_password=False)
    made = Settings(database_url=url, var_dir=tmp_path / "var", **settings)
    return Site(world, made, [AS_OF])


@pytest.fixture
def site(world: World, tmp_path: Path) -> Site:
    return _site(world, tmp_path)


def _flip(sig: str) -> str:
    """The signature with one character changed."""
    return sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]


def _verdict(client: TestClient, path: str) -> dict[str, Any]:
    serial = urlsplit(path).path.split("/")[2]
    sig = parse_qs(urlsplit(path).query).get("sig", [""])[0]
    answer = client.get(f"/api/v1/marks/{serial}", params={"sig": sig})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_fresh_mark_verifies_and_its_badge_opens_the_live_profile(site: Site) -> None:
    _, code = site.world.subject(1, "诚信网店有限公司")
    mark = site.issue(code)
    with site.client() as client:
        verdict = _verdict(client, mark.verify_path)
        assert verdict["state"] == "valid" and verdict["valid"] is True
        assert verdict["name"] == "诚信网店有限公司" and verdict["bound_url"] == SITE
        assert verdict["profile_path"] == f"/subjects/{code}"
        page = client.get(mark.verify_path)
        assert page.status_code == 200
        assert 'data-state="valid"' in page.text and f'href="/subjects/{code}"' in page.text
        assert page.headers["cache-control"].startswith("no-cache")
        svg = client.get(mark.badge_path)
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert "网站可信标识" in svg.text and "有效 · 至 2026-12-22" in svg.text
        assert "<script" not in svg.text and "style=" not in svg.text
        qr = client.get(mark.qr_path)
        assert qr.status_code == 200 and qr.text.lstrip().startswith("<")
        assert "<path" in qr.text
        key = client.get("/api/v1/marks/key").json()
        assert key["algorithm"] == "ed25519" and key["key_id"] == mark.key_id
        assert key["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    html = snippet(mark, "https://credit.example.gov.cn", "诚信网店有限公司")
    assert f'href="https://credit.example.gov.cn/marks/{mark.serial}?sig=' in html
    assert f'src="https://credit.example.gov.cn/marks/{mark.serial}/badge.svg?sig=' in html


def test_forged_or_altered_links_fail_the_signature(site: Site) -> None:
    _, code = site.world.subject(2)
    mark = site.issue(code)
    other = site.issue(site.world.subject(3)[1])
    flipped = _flip(mark.signature)
    with site.client() as client:
        for sig in (flipped, other.signature, "", "not base64!"):
            got = client.get(f"/api/v1/marks/{mark.serial}", params={"sig": sig}).json()
            assert got["state"] == "forged", sig
            assert got["valid"] is False and "签名验证失败" in got["message_zh"]
        page = client.get(f"/marks/{mark.serial}", params={"sig": flipped})
        assert 'data-state="forged"' in page.text and 'id="profile-link"' not in page.text
        assert 'lang="en"' not in page.text and "signature invalid" not in page.text  # zh only
        svg = client.get(f"/marks/{mark.serial}/badge.svg", params={"sig": flipped})
        assert "签名无效" in svg.text and "有效 · 至" not in svg.text
        # the stored claims altered (a longer validity written into the store): the genuine
        # link no longer verifies either
        with site.world.engine.begin() as conn:
            conn.execute(
                marks_table.update()
                .where(marks_table.c.serial == mark.serial)
                .values(expires_at=mark.expires_at + timedelta(days=3650))
            )
        assert _verdict(client, mark.verify_path)["state"] == "forged"
        unknown = client.get("/marks/TM20260101DEADBEEF", params={"sig": mark.signature})
        assert unknown.status_code == 404 and 'data-state="unknown"' in unknown.text


def test_a_mark_expires_on_its_date(site: Site) -> None:
    _, code = site.world.subject(4)
    mark = site.issue(code, days=10)
    with site.client() as client:
        site.clock[0] = AS_OF + timedelta(days=10) - timedelta(seconds=1)
        assert _verdict(client, mark.verify_path)["state"] == "valid"
        site.clock[0] = AS_OF + timedelta(days=10)
        got = _verdict(client, mark.verify_path)
        assert got["state"] == "expired" and "已于 2026-12-02 过期" in got["message_zh"]
        assert "已过期" in client.get(mark.badge_path).text


def test_a_serious_list_suspends_the_badge_until_removal(site: Site) -> None:
    sid, code = site.world.subject(5)
    mark = site.issue(code)
    with site.client() as client:
        assert _verdict(client, mark.verify_path)["state"] == "valid"
        site.world.entry("serious_dishonest_list", code, subject_id=sid, listed="2026-11-01")
        got = _verdict(client, mark.verify_path)
        assert got["state"] == "suspended"
        assert "列入严重违法失信名单" in got["message_zh"] and got["reasons"]
        svg = client.get(mark.badge_path).text
        assert "已暂停" in svg and "有效 · 至" not in svg
        page = client.get(mark.verify_path)
        assert 'data-state="suspended"' in page.text
        # no new mark while listed
        with pytest.raises(Conflict, match="严重违法失信名单"):
            site.issue(code)
        # an abnormal-operations listing alone is not serious (rules: data)
        sid2, code2 = site.world.subject(6)
        site.world.entry("abnormal_list", code2, subject_id=sid2, listed="2026-11-01")
        assert _verdict(client, site.issue(code2).verify_path)["state"] == "valid"


def test_removal_from_the_list_restores_the_badge(site: Site) -> None:
    sid, code = site.world.subject(7)
    mark = site.issue(code)
    site.world.entry(
        "serious_dishonest_list", code, subject_id=sid, listed="2026-10-01", removed="2026-11-20"
    )
    with site.client() as client:
        assert _verdict(client, mark.verify_path)["state"] == "valid"
        site.clock[0] = datetime(2026, 10, 15, 2, 0, tzinfo=AS_OF.tzinfo)  # while it was listed
        assert _verdict(client, mark.verify_path)["state"] == "suspended"


def test_the_centre_revokes_with_a_reason(site: Site) -> None:
    _, code = site.world.subject(8)
    mark = site.issue(code)
    with site.world.engine.begin() as conn:
        with pytest.raises(InvalidInput, match="撤销理由"):
            trust_marks.revoke(conn, mark.serial, reason=" ", now=AS_OF, actor="test")
        trust_marks.revoke(conn, mark.serial, reason="网站冒用他人资质", now=AS_OF, actor="test")
        with pytest.raises(Conflict):
            trust_marks.revoke(conn, mark.serial, reason="again", now=AS_OF, actor="test")
    with site.client() as client:
        got = _verdict(client, mark.verify_path)
        assert got["state"] == "revoked" and "网站冒用他人资质" in got["message_zh"]
        assert "已撤销" in client.get(mark.badge_path).text


def test_bad_input_is_refused_with_the_field(site: Site) -> None:
    _, code = site.world.subject(9)
    with pytest.raises(InvalidInput, match="bound_url"):
        site.issue(code, url="javascript:alert(1)")
    with pytest.raises(InvalidInput, match="有效天数"):
        site.issue(code, days=0)
    with site.client() as client:
        long = client.get("/api/v1/marks/" + "X" * 41)
        assert long.status_code == 422


@pytest.fixture
def tight(world: World, tmp_path: Path) -> Site:
    return _site(world, tmp_path, trust_mark_rate_limit=2)


def test_verification_is_rate_limited_per_client(tight: Site) -> None:
    _, code = tight.world.subject(10)
    mark = tight.issue(code)
    with tight.client() as client:
        assert client.get(mark.badge_path).status_code == 200
        assert client.get(mark.verify_path).status_code == 200
        refused = client.get(f"/api/v1/marks/{mark.serial}", params={"sig": mark.signature})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert "可信标识核验过于频繁" in refused.json()["zh"]


@pytest.fixture
def sm2(world: World, tmp_path: Path) -> Site:
    return _site(world, tmp_path, trust_mark_algorithm="sm2")


def test_sm2_marks_verify_and_resigning_replaces_old_links(sm2: Site) -> None:
    _, code = sm2.world.subject(11)
    old = sm2.issue(code)
    assert old.algorithm == "sm2" and len(old.signature) == 86  # r‖s, 64 bytes
    with sm2.client() as client:
        assert _verdict(client, old.verify_path)["state"] == "valid"
        flipped = _flip(old.signature)
        got = client.get(f"/api/v1/marks/{old.serial}", params={"sig": flipped}).json()
        assert got["state"] == "forged"
    # the deployment moves to Ed25519: old links fail until the marks are re-signed
    sm2.settings = sm2.settings.model_copy(update={"trust_mark_algorithm": "ed25519"})
    with sm2.client() as client:
        assert _verdict(client, old.verify_path)["state"] == "forged"
        with sm2.world.engine.begin() as conn:
            key = signing_key(conn, "ed25519", None, now=AS_OF)
            assert trust_marks.resign(conn, key=key, now=AS_OF, actor="test") == 1
            new = trust_marks.get(conn, old.serial)
        assert new.algorithm == "ed25519" and new.signature != old.signature
        assert _verdict(client, new.verify_path)["state"] == "valid"
        assert _verdict(client, old.verify_path)["state"] == "forged"
    with sm2.world.engine.connect() as conn:
        actions = conn.execute(
            sa.text("SELECT action FROM audit_log WHERE action LIKE 'trust_mark.%'")
        ).scalars()
        assert {"trust_mark.issue", "trust_mark.resign"} <= set(actions)
