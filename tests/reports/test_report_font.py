"""The compact report font: made once under var_dir, used by every report, the same text
extractable, rare characters still printed (from the full system font), and the PDF smaller."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from gongxin.documents import fonts
from gongxin.documents.layout import lay_out
from gongxin.reports import content as report_content
from gongxin.reports.pdf import CSS, render, to_html

TODAY = date(2026, 11, 22)
NAME = "北京堃犇喆琍科技有限公司"  # 堃犇喆琍 are not in GB 2312: not in the compact font

needs_font = pytest.mark.skipif(fonts.system_font() is None, reason="fonts-noto-cjk missing")


def report() -> report_content.ReportContent:
    entries = (report_content.Entry("主体名称", NAME), report_content.Entry("住所", "北京市海淀区"))
    return report_content.ReportContent(
        "XY20261122" + "0" * 10, TODAY, "91110108MA01ABCDE1", NAME, entries, ()
    )


def fonts_of(data: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True)
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True)
    return re.sub(r"\s+", "", text.stdout.decode()), listed.stdout.decode()


def test_the_compact_font_holds_common_chinese_and_is_made_once(tmp_path: Path) -> None:
    points = set(fonts.characters())
    assert {ord(c) for c in "公共信用信息报告（）：、。ABC123①"} <= points
    assert ord("堃") not in points
    assert 7_000 < len(points) < 9_000  # GB 2312's 7,445 and the ranges around them
    if fonts.system_font() is None:
        pytest.skip("fonts-noto-cjk missing")
    made = fonts.report_font(tmp_path / "var")
    assert made == tmp_path / "var" / "fonts" / fonts.FILE_NAME
    assert made.read_bytes()[:4] == b"OTTO"  # one OpenType face, not the 19 MB collection
    assert made.stat().st_size < 6_000_000
    stamp = made.stat().st_mtime_ns
    assert fonts.report_font(tmp_path / "var") == made
    assert made.stat().st_mtime_ns == stamp


@needs_font
def test_a_report_with_the_compact_font_reads_the_same_and_is_smaller(tmp_path: Path) -> None:
    font = fonts.report_font(tmp_path / "var")
    compact = render(report(), "https://example.org/v", "K7M3P-Q9XRT", font=font)
    full = render(report(), "https://example.org/v", "K7M3P-Q9XRT")
    compact_text, compact_fonts = fonts_of(compact, tmp_path)
    full_text, full_fonts = fonts_of(full, tmp_path)
    assert NAME in compact_text and "公共信用信息报告" in compact_text
    assert compact_text == full_text
    # the compact copy prints the common characters, the system font only the rare ones
    assert "+Gongxin-Noto-Sans-CJK-SC " in compact_fonts
    assert "+Noto-Sans-CJK-SC " in compact_fonts
    assert "Gongxin" not in full_fonts
    assert len(compact) < len(full)


@needs_font
def test_a_report_of_common_characters_embeds_only_the_compact_font(tmp_path: Path) -> None:
    font = fonts.report_font(tmp_path / "var")
    plain = report_content.ReportContent(
        "XY20261122" + "0" * 10, TODAY, "91110108MA01ABCDE1", "北京长城科技有限公司",
        (report_content.Entry("主体名称", "北京长城科技有限公司"),), (),
    )  # fmt: skip
    text, listed = fonts_of(render(plain, "https://example.org/v", font=font), tmp_path)
    assert "北京长城科技有限公司" in text
    assert "+Gongxin-Noto-Sans-CJK-SC " in listed
    assert "+Noto-Sans-CJK-SC " not in listed


def test_without_the_system_font_there_is_no_compact_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "system_font", lambda: None)
    assert fonts.report_font(tmp_path / "var") is None
    assert not (tmp_path / "var" / "fonts" / fonts.FILE_NAME).exists()


@needs_font
def test_a_report_renders_with_the_working_folder_relative_to_where_gongxin_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GONGXIN_VAR_DIR defaults to "var", relative: `make demo` serves with it so
    monkeypatch.chdir(tmp_path)
    font = fonts.report_font(Path("var"))
    assert font is not None and font.is_absolute()
    assert font == tmp_path / "var" / "fonts" / fonts.FILE_NAME
    text, listed = fonts_of(render(report(), "https://example.org/v", font=font), tmp_path)
    assert NAME in text
    assert "+Gongxin-Noto-Sans-CJK-SC " in listed


@needs_font
def test_each_layout_uses_the_font_configuration_its_sheet_was_parsed_for(tmp_path: Path) -> None:
    """Processes that meet several font files (tests, a moved working folder) keep fewer font
    configurations than parsed sheets: a sheet is laid out with its own configuration, so its
    compact font is still embedded after the others were used."""
    made = fonts.report_font(tmp_path / "var")
    assert made is not None
    copies = []
    for n in range(3):
        copy = tmp_path / f"copy{n}" / fonts.FILE_NAME
        copy.parent.mkdir()
        copy.write_bytes(made.read_bytes())
        copies.append(copy)
    html = to_html(report(), "https://example.org/v", style=False)
    for font in [*copies, copies[0]]:  # the first again, once the others have been used
        _text, listed = fonts_of(lay_out(html, css=CSS, font=font), tmp_path)
        assert "+Gongxin-Noto-Sans-CJK-SC " in listed
