"""Signed anchors outside the database catch what the hash chain alone cannot: truncation, a
wipe, a rewrite with recomputed hashes and backdated appends; and an edited anchor file."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.audit import anchor as audit_anchor
from gongxin.audit import log as audit
from gongxin.db import migrate
from gongxin.db.audit_tables import audit_log
from gongxin.db.engine import make_engine
from gongxin.errors import InvalidInput
from gongxin.settings import Settings
from tests.intake.helpers import AS_OF
from tests.support.cli import Cli


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    key = tmp_path / "anchor.key"
    key.write_text(secrets.token_hex(32))
    return Settings(audit_anchor_file=tmp_path / "anchors.jsonl", audit_anchor_key_file=key)


def _append(engine: sa.Engine, first: int, n: int, minutes: int = 0) -> None:
    with engine.begin() as conn:
        for i in range(first, first + n):
            audit.record(
                conn, actor=f"user:clerk{i}", action="exchange.read", target=f"penalty?page={i}",
                now=AS_OF + timedelta(minutes=minutes + i), detail={"rows": i},
            )  # fmt: skip


def _anchored(engine: sa.Engine, settings: Settings) -> None:
    """Five entries, anchored one hour after the first."""
    _append(engine, 0, 5)
    audit_anchor.anchor(engine, settings, AS_OF + timedelta(hours=1))


def _check(engine: sa.Engine, settings: Settings) -> audit_anchor.AnchorVerdict:
    with engine.connect() as conn:
        return audit_anchor.check(conn, settings)


def _rechain(conn: sa.Connection) -> None:
    """Recompute every hash from the start, as a tamperer with database access would."""
    prev = audit.GENESIS
    for e in audit.entries(conn):
        fields = (e.actor, e.department_id, e.action, e.target, e.purpose, e.detail)
        new = audit.digest(prev, e.seq, e.at, *fields)
        conn.execute(
            sa.update(audit_log).where(audit_log.c.seq == e.seq).values(prev_hash=prev, hash=new)
        )
        prev = new


def test_an_untouched_log_agrees_with_its_anchors(engine: sa.Engine, settings: Settings) -> None:
    _anchored(engine, settings)
    _append(engine, 5, 3, minutes=90)  # later entries, after the anchor: fine
    audit_anchor.anchor(engine, settings, AS_OF + timedelta(hours=3))
    verdict = _check(engine, settings)
    assert verdict.ok and verdict.anchors == 2, verdict
    assert settings.audit_anchor_file is not None
    lines = settings.audit_anchor_file.read_text().splitlines()
    assert '"seq":5' in lines[0] and '"seq":8' in lines[1]


def test_truncation_is_detected(engine: sa.Engine, settings: Settings) -> None:
    _anchored(engine, settings)
    with engine.begin() as conn:
        conn.execute(sa.delete(audit_log).where(audit_log.c.seq >= 4))
        assert audit.verify(conn).ok  # the chain alone sees nothing wrong
    verdict = _check(engine, settings)
    assert not verdict.ok and verdict.first_bad == 4
    assert "截断" in verdict.zh and "truncated" in verdict.en


def test_a_wipe_is_detected(engine: sa.Engine, settings: Settings) -> None:
    _anchored(engine, settings)
    with engine.begin() as conn:
        conn.execute(sa.delete(audit_log))
        assert audit.verify(conn).ok
    verdict = _check(engine, settings)
    assert not verdict.ok and "清空" in verdict.zh and "wiped" in verdict.en


def test_an_edit_with_recomputed_chain_is_detected(engine: sa.Engine, settings: Settings) -> None:
    _anchored(engine, settings)
    with engine.begin() as conn:
        conn.execute(sa.update(audit_log).where(audit_log.c.seq == 2).values(actor="user:x"))
        _rechain(conn)
        assert audit.verify(conn).ok
    verdict = _check(engine, settings)
    assert not verdict.ok and verdict.first_bad == 5
    assert "重算" in verdict.zh and "rehashed" in verdict.en


def test_a_delete_with_recomputed_chain_is_detected(engine: sa.Engine, settings: Settings) -> None:
    _anchored(engine, settings)
    with engine.begin() as conn:
        conn.execute(sa.delete(audit_log).where(audit_log.c.seq == 5))
        conn.execute(sa.update(audit_log).where(audit_log.c.seq == 4).values(target="other"))
        _rechain(conn)
        assert audit.verify(conn).ok
    verdict = _check(engine, settings)
    assert not verdict.ok


def test_a_backdated_append_after_an_anchor_is_detected(
    engine: sa.Engine, settings: Settings
) -> None:
    _anchored(engine, settings)
    _append(engine, 5, 1, minutes=-30)  # appended now, dated before the anchor
    with engine.connect() as conn:
        assert audit.verify(conn).ok
    verdict = _check(engine, settings)
    assert not verdict.ok and verdict.first_bad == 6
    assert "伪造" in verdict.zh and "backdated" in verdict.en


@pytest.mark.parametrize("edit", ["forged seq", "line removed"])
def test_an_edited_anchor_file_is_detected(
    engine: sa.Engine, settings: Settings, edit: str
) -> None:
    _anchored(engine, settings)
    _append(engine, 5, 2, minutes=90)
    audit_anchor.anchor(engine, settings, AS_OF + timedelta(hours=3))
    _append(engine, 7, 1, minutes=200)
    audit_anchor.anchor(engine, settings, AS_OF + timedelta(hours=5))
    path = settings.audit_anchor_file
    assert path is not None
    lines = path.read_text().splitlines()
    if edit == "forged seq":
        lines[1] = lines[1].replace('"seq":7', '"seq":6')
    else:
        del lines[1]
    path.write_text("\n".join(lines) + "\n")
    verdict = _check(engine, settings)
    assert not verdict.ok and "锚点" in verdict.zh


def test_a_key_that_the_database_could_hold_is_not_enough(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    """Anchors written under one key do not verify under another."""
    _anchored(engine, settings)
    other = tmp_path / "other.key"
    other.write_text(secrets.token_hex(32))
    verdict = _check(engine, settings.model_copy(update={"audit_anchor_key_file": other}))
    assert not verdict.ok and "签名无效" in verdict.zh


def test_anchoring_needs_both_settings(engine: sa.Engine, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="GONGXIN_AUDIT_ANCHOR_KEY_FILE"):
        audit_anchor.anchor(engine, Settings(audit_anchor_file=tmp_path / "a"), AS_OF)


def test_cli_anchor_then_verify_catches_a_wipe(
    ready: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "anchor.key"
    key.write_text(secrets.token_hex(32))
    monkeypatch.setenv("GONGXIN_AUDIT_ANCHOR_FILE", str(tmp_path / "anchors.jsonl"))
    monkeypatch.setenv("GONGXIN_AUDIT_ANCHOR_KEY_FILE", str(key))
    from gongxin.settings import get_settings

    get_settings.cache_clear()
    entries = ready.scalar(sa.select(sa.func.count()).select_from(audit_log))
    assert entries and f"第 {entries} 条" in ready.ok("audit", "anchor").stdout
    assert "1 个签名锚点" in ready.ok("audit", "verify").stdout
    engine = make_engine(ready.url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.delete(audit_log))
    finally:
        engine.dispose()
    result = ready("audit", "verify")
    assert result.exit_code == 1
    assert "清空" in result.stderr
