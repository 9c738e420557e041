"""The README's examples work on the demo that ``make demo`` loads (2,000 subjects, seed 1):
every subject code, subject name and name fragment they use is one the demo contains."""

from __future__ import annotations

import re
from datetime import date

from gongxin.demo.subjects import make_population
from gongxin.ids import classify
from gongxin.subjects.names import normalise_name
from tests.conftest import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")


def _demo_args() -> tuple[int, int]:
    subjects = re.search(r"^DEMO_SUBJECTS \?= (\d+)", MAKEFILE, re.M)
    seed = re.search(r"^DEMO_SEED \?= (\d+)", MAKEFILE, re.M)
    assert subjects and seed, "the Makefile names the demo's size and seed"
    return int(subjects[1]), int(seed[1])


def test_readme_subjects_are_in_the_demo() -> None:
    size, seed = _demo_args()
    # make demo generates as of the day it runs
    registered = make_population(seed, size, date.today()).registered
    codes = {s.uscc for s in registered if s.uscc}
    names = {s.name for s in registered}
    # subject codes: USCCs of enterprises and the like (category 9, 5, 1 …), not of departments
    used = {c for c in re.findall(r"\b[0-9]{2}[0-9]{6}[0-9A-Z]{10}\b", README)}
    subject_codes = {c for c in used if classify(c) == "uscc" and not c.startswith("11")}
    assert subject_codes, "the README shows no subject code"
    assert subject_codes <= codes, sorted(subject_codes - codes)
    quoted = set(re.findall(r'"([^"\s]{4,}(?:公司|合作社|店|部))"', README))
    assert quoted and quoted <= names, sorted(quoted - names)
    fragments = re.findall(r"subjects\?q=([^&\"\s]+)", README)
    assert fragments
    for fragment in fragments:
        assert any(normalise_name(fragment) in normalise_name(n) for n in names), fragment
