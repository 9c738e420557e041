"""A store loaded with one subject: a registration and a recent and an ancient penalty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.intake.helpers import (
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_registrations,
)

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
CODE = make_uscc(1)
NAME = "北京<script>alert(1)</script>科技有限公司"
RECENT = penalty_row(1, CF_JDRQ=(NOW - timedelta(days=40)).date().isoformat())
ANCIENT = penalty_row(2, CF_XDR_SHXYM=CODE, CF_JDRQ="2021-01-05")  # past every maximum


def load_subject(store: Store, folder: Path) -> None:
    reg = [registration_row(1, 企业名称=NAME, 法人代表="欧阳娜娜")]
    store.ingest(write_registrations(folder / "reg.csv", reg), "registration", as_of=NOW)
    store.ingest(store.penalties("p.csv", [RECENT, ANCIENT]), as_of=NOW)
