"""/admin/simulations: the credit centre runs a proposed rule change as a simulation (仿真),
reads its report (counts and examples of what would change) and compares saved proposals side
by side before adopting one. Nothing a simulation does changes a record, grade or measure."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from gongxin.clock import local_date
from gongxin.errors import GongxinError, InvalidInput
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.simulation import service
from gongxin.simulation.report import KINDS
from gongxin.web.admin.render import posted_form, render, render_error
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import MAX_ID, IdPath

router = APIRouter(prefix="/admin/simulations", tags=["后台 back office"], include_in_schema=False)

CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]
RULE_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}\.ya?ml$")
MAX_RULE_BYTES = 1_000_000  # a rule file is a few kilobytes
MAX_FILES = 20
COMPARED = 4


def _listing(request: Request, engine: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    with engine.connect() as conn:
        saved = service.listing(conn)
    return render(request, "admin/simulations.html", status, saved=saved, kinds=KINDS, **extra)


@router.get("")
def simulations_page(request: Request, engine: EngineDep, user: CentreAdmin) -> HTMLResponse:
    return _listing(request, engine, sent={})


def _write(uploads: list[UploadFile], folder: FilePath) -> list[FilePath]:
    written = []
    for upload in uploads:
        name = FilePath(upload.filename or "").name
        if not RULE_FILE.match(name):
            raise InvalidInput(
                f"规则文件名须为 .yaml（字母、数字、下划线）：{name[:80]}",
                f"a rule file must be a .yaml file named with letters, digits and _: {name[:80]}",
                field="files",
            )
        data = upload.file.read(MAX_RULE_BYTES + 1)
        if len(data) > MAX_RULE_BYTES:
            raise InvalidInput(
                f"规则文件超过 {MAX_RULE_BYTES} 字节：{name}",
                f"rule file larger than {MAX_RULE_BYTES} bytes: {name}",
                field="files",
            )
        (folder / name).write_bytes(data)
        written.append(folder / name)
    return written


@router.post("")
async def run_simulation(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    user: CentreAdmin,
) -> Response:
    """Run the uploaded proposal and keep its report; the answer is the report page (303)."""
    async with posted_form(request) as form:
        sent = {
            k: v.strip()[:200] if isinstance(v := form.get(k), str) else ""
            for k in ("kind", "label", "as_of")
        }
        uploads = [u for u in form.getlist("files") if isinstance(u, UploadFile) and u.filename]
        folder = FilePath(tempfile.mkdtemp(prefix="gongxin-proposal-"))
        try:
            if sent["kind"] not in KINDS:
                raise InvalidInput("请选择规则类型", "choose the kind of rule", field="kind")
            if (
                not uploads
                or len(uploads) > MAX_FILES
                or (sent["kind"] != "regimes" and len(uploads) != 1)
            ):
                raise InvalidInput(
                    "公示期规则可上传多个文件，其余类型上传一个 YAML 文件",
                    "upload the regime files (several allowed) or one YAML file for other kinds",
                    field="files",
                )
            try:
                day = date.fromisoformat(sent["as_of"]) if sent["as_of"] else local_date(now)
            except ValueError:
                raise InvalidInput(
                    f"日期格式应为 YYYY-MM-DD：{sent['as_of']}",
                    f"the date must read YYYY-MM-DD: {sent['as_of']}",
                    field="as_of",
                ) from None
            written = await run_in_threadpool(_write, uploads, folder)
            path = folder if sent["kind"] == "regimes" else written[0]

            def simulate_and_save() -> int:
                sim = service.run(engine, catalog, settings, sent["kind"], path, as_of=day, now=now)
                sim.source = ", ".join(p.name for p in written)  # not the temporary folder
                with engine.begin() as conn:
                    return service.save(conn, sim, label=sent["label"], actor=user.actor, now=now)

            saved = await run_in_threadpool(simulate_and_save)
        except GongxinError as exc:
            return _listing(request, engine, exc.status, error=f"{exc.zh}（{exc.en}）", sent=sent)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return RedirectResponse(f"/admin/simulations/{saved}", status_code=303)


@router.get("/compare")
def compare_page(
    request: Request,
    engine: EngineDep,
    user: CentreAdmin,
    ids: Annotated[list[str], Query(description="要比较的仿真编号", max_length=20)] = [],  # noqa: B006
) -> HTMLResponse:
    numbers = [int(i) for i in ids[: COMPARED * 2] if i.isdigit() and len(i) <= 19]
    chosen = list(dict.fromkeys(i for i in numbers if 1 <= i <= MAX_ID))[:COMPARED]
    try:
        with engine.connect() as conn:
            found = [service.get(conn, i) for i in chosen]
    except GongxinError as exc:
        return render_error(request, exc)
    kinds = {s.kind for s in found}
    if len(found) < 2 or len(kinds) != 1:
        return render_error(
            request,
            InvalidInput(
                f"请选择 2–{COMPARED} 个同类型的仿真进行比较",
                f"choose 2–{COMPARED} simulations of the same kind to compare",
            ),
        )
    rows = [c["change"] for c in found[0].report["counts"]]
    labels = {c["change"]: (c["zh"], c["en"]) for c in found[0].report["counts"]}
    counts = [{c["change"]: c["count"] for c in s.report["counts"]} for s in found]
    return render(
        request, "admin/simulation_compare.html", found=found, rows=rows, labels=labels,
        counts=counts,
    )  # fmt: skip


@router.get("/{simulation_id}")
def simulation_page(
    simulation_id: IdPath, request: Request, engine: EngineDep, user: CentreAdmin
) -> HTMLResponse:
    try:
        with engine.connect() as conn:
            found = service.get(conn, simulation_id)
    except GongxinError as exc:
        return render_error(request, exc)
    labels = {c["change"]: c["zh"] for c in found.report["counts"]}
    return render(request, "admin/simulation.html", s=found, r=found.report, labels=labels)
