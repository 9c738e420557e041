"""Downloads are de-identified and hold exactly what the visibility gate shows the public today."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from gongxin.db.models import records
from gongxin.ids import ric
from gongxin.opendata import downloads
from gongxin.records.gate import Audience, view
from tests.intake.helpers import catalog
from tests.opendata.conftest import AS_OF, NATURAL, PERSON_ID, PERSON_NAME, VISIBLE, Server

OPEN = [spec.code for spec in catalog() if spec.open]
CLOSED = [spec.code for spec in catalog() if not spec.open]
ID_LIKE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def _expected(server: Server, dataset: str) -> list[dict[str, Any]]:
    """What the gate shows the public of ``dataset`` today, in storage order."""
    spec = catalog().get(dataset)
    query = sa.select(records.c.data).where(records.c.dataset == dataset).order_by(records.c.id)
    with server.engine.connect() as conn:
        shown = (view(spec, data, Audience.PUBLIC, AS_OF) for (data,) in conn.execute(query))
        return [s for s in shown if s is not None]


def _csv(server: Server, dataset: str, **params: str) -> tuple[httpx.Response, list[list[str]]]:
    answer = httpx.get(f"{server.url}/opendata/{dataset}.csv", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with the UTF-8 BOM"
    return answer, list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("dataset", OPEN)
def test_csv_is_exactly_the_public_view(server: Server, dataset: str) -> None:
    spec = catalog().get(dataset)
    answer, rows = _csv(server, dataset)
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert rows[0] == [f.name for f in spec.fields]
    expected = _expected(server, dataset)
    assert len(rows) - 1 == len(expected)
    for row, shown in zip(rows[1:], expected, strict=True):
        for f, cell in zip(spec.fields, row, strict=True):
            value = shown.get(f.code)
            text = ";".join(map(str, value)) if isinstance(value, list) else value
            assert cell == ("" if text is None else str(text)), (dataset, f.code)


@pytest.mark.parametrize("dataset", OPEN)
def test_json_is_exactly_the_public_view(server: Server, dataset: str) -> None:
    answer = httpx.get(f"{server.url}/opendata/{dataset}.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    items = answer.json()
    codes = [f.code for f in catalog().get(dataset).fields]
    assert items == [{c: shown.get(c) for c in codes} for shown in _expected(server, dataset)]


def test_penalties_hold_no_personal_data_and_nothing_outside_its_window(server: Server) -> None:
    _, rows = _csv(server, "penalty")
    text = "\n".join(",".join(r) for r in rows)
    numbers = {r[rows[0].index("行政处罚决定书文号")] for r in rows[1:]}
    assert VISIBLE["CF_WSH"] in numbers  # public today
    assert "京海市监罚〔2019〕9002号" not in numbers  # its publicity window has ended
    assert NATURAL["CF_WSH"] not in numbers  # a natural person's penalty is never public
    assert PERSON_NAME not in text and PERSON_ID not in text
    assert "欧**" in text  # the legal representative's name, masked
    unmasked = [n for n in ID_LIKE.findall(text) if ric.is_valid(n)]
    assert unmasked == [], "resident ID numbers must be masked"
    with server.engine.connect() as conn:
        stored = conn.execute(
            sa.select(sa.func.count()).where(records.c.dataset == "penalty")
        ).scalar_one()
    assert stored > len(rows) - 1, "some stored penalties are not public today"


def test_every_open_download_masks_person_names(server: Server) -> None:
    for dataset in OPEN:
        spec = catalog().get(dataset)
        masked = [f.code for f in spec.fields if f.mask == "person_name"]
        for item in httpx.get(f"{server.url}/opendata/{dataset}.json").json():
            for code in masked:
                value = item.get(code)
                assert not value or set(value[1:]) == {"*"}, (dataset, code, value)


def test_header_codes_option(server: Server) -> None:
    _, rows = _csv(server, "licence", header="code")
    assert rows[0] == [f.code for f in catalog().get("licence").fields]


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_closed_and_unknown_datasets_are_not_downloadable(server: Server, suffix: str) -> None:
    for dataset in (CLOSED[0], "no_such_dataset"):
        answer = httpx.get(f"{server.url}/opendata/{dataset}.{suffix}")
        assert answer.status_code == 404
        assert answer.json()["error"] == "not_found"


def test_output_streams_in_chunks() -> None:
    """A large dataset is written out piece by piece, never built whole in memory."""
    spec = catalog().get("penalty")
    many = ({"CF_WSH": f"罚〔2026〕{n}号", "CF_XDR_MC": "某公司" * 20} for n in range(20_000))
    chunks = list(downloads.csv_chunks(many, spec))
    assert len(chunks) > 10
    assert max(len(c) for c in chunks) < 2 * downloads.CHUNK_BYTES
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(rows) == 20_001
    items = ({"CF_WSH": str(n)} for n in range(20_000))
    parts = list(downloads.json_chunks(items, spec))
    assert len(parts) > 5
    assert len(json.loads(b"".join(parts))) == 20_000
