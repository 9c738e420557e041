"""Settings read once per process: a relative working folder is anchored where it starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongxin.settings import Settings


def test_a_relative_working_folder_is_taken_from_where_the_process_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(database_url="sqlite:///:memory:", var_dir=Path("var"))
    assert settings.var_dir == tmp_path / "var"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # a later change of folder does not move it
    assert settings.var_dir == tmp_path / "var"
    absolute = Settings(database_url="sqlite:///:memory:", var_dir=tmp_path / "data")
    assert absolute.var_dir == tmp_path / "data"
