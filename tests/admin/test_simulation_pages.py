"""The centre runs a simulation from the back office: uploads a proposal, reads the saved
report, compares two proposals side by side; a malformed file is refused on the form with the
file's name and nothing is saved; the API lists the same reports."""

from __future__ import annotations

from importlib import resources

from tests.admin.conftest import Office

SHORT = b"""key: LOCAL_SHORT
title: local trial
basis: local
effective_from: 2000-01-01
confidence: confirmed
windows:
  \xe4\xb8\x80\xe8\x88\xac: {max_months: 1}
"""


def packaged() -> list[tuple[str, bytes]]:
    folder = resources.files("gongxin.records").joinpath("regimes")
    return [(e.name, e.read_bytes()) for e in folder.iterdir() if e.name.endswith(".yaml")]


def upload(office: Office, files: list[tuple[str, bytes]], **data: str) -> object:
    token = office.page_csrf("/admin/simulations")
    return office.client.post(
        "/admin/simulations",
        data={"kind": "regimes", "label": "", "as_of": "2026-12-02", **data, "csrf_token": token},
        files=[("files", (name, body, "application/x-yaml")) for name, body in files],
        follow_redirects=False,
    )


def test_a_proposal_is_run_saved_read_and_compared(office: Office) -> None:
    assert office.login("root").status_code == 303
    first = upload(office, packaged(), label="现行规则（对照）")
    assert first.status_code == 303, first.text  # type: ignore[attr-defined]
    report = office.client.get(first.headers["location"])  # type: ignore[attr-defined]
    assert "现行规则（对照）" in report.text and "与现行规则相比没有任何变化" in report.text
    second = upload(office, [("short.yaml", SHORT)], label="一般失信公示一个月")
    assert second.status_code == 303, second.text  # type: ignore[attr-defined]
    listing = office.client.get("/admin/simulations")
    assert "现行规则（对照）" in listing.text and "一般失信公示一个月" in listing.text
    ids = [int(u.headers["location"].rsplit("/", 1)[1]) for u in (first, second)]  # type: ignore[attr-defined]
    compared = office.client.get("/admin/simulations/compare", params={"ids": ids})
    assert compared.status_code == 200
    assert "不再公开" in compared.text and "一般失信公示一个月" in compared.text
    api = office.client.get("/api/v1/simulations")
    assert [s["label"] for s in api.json()] == ["一般失信公示一个月", "现行规则（对照）"]
    one = office.client.get(f"/api/v1/simulations/{ids[0]}").json()
    assert one["report"]["changed"] == 0 and one["report"]["kind"] == "regimes"
    assert office.client.get("/api/v1/simulations/999999").status_code == 404


def test_a_malformed_proposal_is_refused_on_the_form(office: Office) -> None:
    office.login("root")
    bad = upload(office, [("short.yaml", SHORT.replace(b"max_months: 1", b"max_months: x"))])
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "short.yaml" in bad.text  # type: ignore[attr-defined]
    named = upload(office, [("../../etc/passwd", b"x")])
    assert named.status_code == 400  # type: ignore[attr-defined]
    many = upload(office, [("a.yaml", SHORT), ("b.yaml", SHORT)], kind="model")
    assert many.status_code == 400  # type: ignore[attr-defined]
    assert office.client.get("/api/v1/simulations").json() == []
    office.login("clerk")
    assert office.client.get("/admin/simulations").status_code == 403
