"""Credit-report benchmark: the signed PDF report on demo data, stage by stage, against the
same report as HTML only.

    python bench/report.py [--subjects N] [--requests K] [--db FOLDER] [--json]

1. Loads the demo (``gongxin demo --subjects N --seed 1``, the data ``make demo`` shows) into
   ``--db`` (a temporary folder unless given; a folder already holding a finished load is
   reused) and makes the demo signing certificate (as ``gongxin init`` does).
2. Picks K subjects: half those with the most public records (the longest reports), half at
   random among the rest.
3. gongxin: times ``GET /api/v1/reports/{code}.pdf`` through a FastAPI TestClient over
   ``create_app`` — content read through the visibility gate, laid out by WeasyPrint, signed
   (PAdES, pyHanko), recorded with its 验证码 — after an untimed warm-up (the compact report font
   is made beforehand, as ``gongxin init`` does); then each stage on
   its own for the same subjects: content, HTML, PDF layout, signature; and the layout with the
   system's full Noto Sans CJK instead of the compact copy (``pdf_layout_full_font``), and as it
   was laid out before (a font configuration and style sheet per report, the full font:
   ``pdf_layout_uncached``), these three interleaved report by report.
4. Baseline: the same report rendered as HTML only (content + HTML, no PDF).

Prints p50 / p95 / max in milliseconds per kind and whether the request's p95 is within the
0.5 s target. A measurement, not a test: it exits 0. The machine's load average is printed
beside it, since the figures scale with it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TARGET_P95_MS = 500.0
# run as a script (python bench/<name>.py): the repository's root, for bench.* and tests.*
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MARKER = "loaded.json"


def _load(folder: Path, subjects: int) -> None:
    marker = folder / MARKER
    if marker.exists() and json.loads(marker.read_text())["subjects"] == subjects:
        return
    folder.mkdir(parents=True, exist_ok=True)
    env = os.environ | _env(folder)
    cli = [sys.executable, "-c", "from gongxin.cli import main; main()"]
    for args in (["init"], ["demo", "--subjects", str(subjects), "--seed", "1"]):
        subprocess.run(cli + args, env=env, check=True, stdout=subprocess.DEVNULL)
    marker.write_text(json.dumps({"subjects": subjects}))


def _env(folder: Path) -> dict[str, str]:
    return {
        "GONGXIN_DATABASE_URL": f"sqlite:///{folder / 'gongxin.db'}",
        "GONGXIN_VAR_DIR": str(folder / "var"),
    }


def _pick(engine: Any, k: int) -> list[str]:
    import sqlalchemy as sa

    from gongxin.db.models import records, subjects

    counted = (
        sa.select(subjects.c.uscc, sa.func.count(records.c.id).label("n"))
        .join(records, records.c.subject_id == subjects.c.id)
        .where(subjects.c.uscc.is_not(None))
        .group_by(subjects.c.uscc)
        .order_by(sa.desc("n"), subjects.c.uscc)
    )
    with engine.connect() as conn:
        codes = [r.uscc for r in conn.execute(counted)]
    heavy, rest = codes[: k // 2], codes[k // 2 :]
    return heavy + random.Random(1).sample(rest, min(len(rest), k - len(heavy)))


def _p95(ms: list[float]) -> float:
    ms = sorted(ms)
    return ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]


def _stats(times: list[tuple[float, float]]) -> dict[str, float]:
    wall = sorted(w * 1000 for w, _ in times)
    cpu = [c * 1000 for _, c in times]
    return {
        "n": len(wall), "p50": statistics.median(wall), "p95": _p95(wall), "max": wall[-1],
        "cpu_p50": statistics.median(cpu), "cpu_p95": _p95(cpu),
    }  # fmt: skip


def _time(codes: list[str], fn: Callable[[str], object]) -> list[tuple[float, float]]:
    """Wall-clock and CPU seconds (this process, all threads) of ``fn`` per code: on a shared,
    loaded machine the CPU time is what the work itself costs."""
    out = []
    for code in codes:
        start, cpu = time.perf_counter(), time.process_time()
        fn(code)
        out.append((time.perf_counter() - start, time.process_time() - cpu))
    return out


def _interleaved(
    codes: list[str], kinds: dict[str, Callable[[str], object]]
) -> dict[str, list[tuple[float, float]]]:
    """Each kind timed on each code in turn, the order rotating from code to code, so that a
    change in the machine's load falls on every kind alike (the layouts are compared so)."""
    times: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    names = list(kinds)
    for n, code in enumerate(codes):
        for kind in names[n % len(names) :] + names[: n % len(names)]:
            times[kind] += _time([code], kinds[kind])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = args.db or Path(tempfile.mkdtemp(prefix="gongxin-report-bench-"))
    _load(folder, args.subjects)
    os.environ.update(_env(folder))
    warnings.simplefilter("ignore")
    for noisy in ("weasyprint", "fontTools", "httpx", "pyhanko"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    from tests.support.http import TestClient

    from gongxin.catalog.registry import get_catalog
    from gongxin.db.engine import make_engine
    from gongxin.documents import fonts
    from gongxin.reports import content, issue, pdf, signing
    from gongxin.settings import Settings
    from gongxin.web.app import create_app

    settings = Settings()
    engine = make_engine(settings.database_url)
    catalog = get_catalog()
    codes = _pick(engine, args.requests)
    now = datetime.now(UTC)
    signing.ensure_demo(settings, settings.report_issuer, now)
    font = fonts.report_font(settings.var_dir)  # as gongxin init makes it
    settings = Settings(report_rate_per_minute=10_000)  # the bench is one client
    with TestClient(create_app(settings)) as client:
        for code in codes[:3]:
            client.get(f"/api/v1/reports/{code}.pdf").raise_for_status()  # warm-up
        api = _time(codes, lambda c: client.get(f"/api/v1/reports/{c}.pdf").raise_for_status())

    def built(code: str) -> content.ReportContent:
        with engine.connect() as conn:
            return issue.build(conn, catalog, settings, code, now.date())

    reports = {c: built(c) for c in codes}
    url = "https://credit.example.gov.cn/reports/verify/X?code=1&sha256=2"
    html = {c: pdf.to_html(reports[c], url, "K7M3P-Q9XRT") for c in codes}
    unsigned = {c: pdf.render(reports[c], url, "K7M3P-Q9XRT", font=font) for c in codes}
    signer = signing.signer_for(settings)

    def layout(code: str, font: Path | None) -> bytes:
        return pdf.render(reports[code], url, "K7M3P-Q9XRT", font=font)

    def uncached(code: str) -> bytes:  # as before: a font configuration and CSS per report
        import weasyprint

        html = pdf.to_html(reports[code], url, "K7M3P-Q9XRT")
        return weasyprint.HTML(
            string=html.replace(pdf.FONT, '"Noto Sans CJK SC", sans-serif')
        ).write_pdf()

    layout(codes[0], None)  # warm-up of the system font's renderer
    figures = {
        "api_pdf_request": _stats(api),
        "content": _stats(_time(codes, built)),
        "html_only_baseline": _stats(
            _time(codes, lambda c: pdf.to_html(built(c), url, "K7M3P-Q9XRT"))
        ),
        **{
            kind: _stats(times)
            for kind, times in _interleaved(
                codes,
                {
                    "pdf_layout": lambda c: layout(c, font),
                    "pdf_layout_full_font": lambda c: layout(c, None),
                    "pdf_layout_uncached": uncached,
                },
            ).items()
        },
        "signature": _stats(
            _time(codes, lambda c: signing.sign(unsigned[c], signer, issuer="bench"))
        ),
    }
    load = os.getloadavg()[0]
    pages = statistics.median(pdf_bytes.count(b"/Type /Page\n") for pdf_bytes in unsigned.values())
    summary = {
        "subjects": args.subjects,
        "reports": len(codes),
        "html_kib_median": statistics.median(len(h.encode()) for h in html.values()) / 1024,
        "pages_median": pages,
        "load_average_1min": load,
        "target_p95_ms": TARGET_P95_MS,
        "within_target": figures["api_pdf_request"]["p95"] <= TARGET_P95_MS,
        "figures": figures,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    print(f"demo subjects {args.subjects}, reports {len(codes)}, load average {load:.2f}")
    head = ("kind", "n", "p50 ms", "p95 ms", "max ms", "cpu p50", "cpu p95")
    print(f"{head[0]:<22}" + "".join(f"{h:>9}" for h in head[1:]))
    for kind, f in figures.items():
        cells = (f["p50"], f["p95"], f["max"], f["cpu_p50"], f["cpu_p95"])
        print(f"{kind:<22}{f['n']:>9}" + "".join(f"{c:>9.1f}" for c in cells))
    request = figures["api_pdf_request"]
    verdict = "within" if summary["within_target"] else "OVER"
    print(
        f"PDF request p95 {request['p95']:.1f} ms wall, {request['cpu_p95']:.1f} ms CPU: "
        f"{verdict} the 500 ms target (wall)"
    )


if __name__ == "__main__":
    main()
