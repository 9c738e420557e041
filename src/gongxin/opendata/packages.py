"""The open datasets as CKAN packages and organisations: one service for the CKAN API, the DCAT
catalog, the /opendata page and the CLI.

A dataset is open when its catalog spec's open attribute (开放属性, ``open: true``) allows it;
what of it anyone may read is decided record by record by the visibility gate (downloads).
A package's organisation is the department that provides its records when there is one, else
the publisher (the credit centre) that aggregates several providers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

from gongxin.catalog.model import DatasetSpec
from gongxin.catalog.registry import Catalog
from gongxin.clock import CHINA_TZ
from gongxin.db.models import departments, submissions
from gongxin.errors import NotFound
from gongxin.opendata.themes import Theme, taxonomy
from gongxin.settings import Settings

_NS = uuid.UUID("6f2b1e7c-4a59-5d0e-9a41-0d8f3c2b7a10")  # gongxin's open-data namespace
PUBLISHER_NAME = "credit-centre"

FORMATS = {
    "CSV": ("text/csv", "csv", "逗号分隔值，UTF-8 带 BOM，首行为中文字段名"),
    "JSON": ("application/json", "json", "JSON 数组，每条记录一个对象，键为字段代码"),
}


def stable_id(*parts: str) -> str:
    """A UUID that stays the same for the same thing (CKAN ids are UUIDs)."""
    return str(uuid.uuid5(_NS, "/".join(parts)))


@dataclass(frozen=True)
class Organization:
    name: str  # URL-safe: dept-<id> or credit-centre
    title: str
    kind: str  # provider | centre | publisher
    created: datetime | None = None

    @property
    def id(self) -> str:
        return stable_id("organization", self.name)

    def as_dict(self, package_count: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "name": self.name, "title": self.title, "display_name": self.title,
            "description": "信用信息提供部门" if self.kind == "provider" else "公共信用信息平台",
            "type": "organization", "is_organization": True, "state": "active",
            "approval_status": "approved", "image_url": "",
            "created": _stamp(self.created) if self.created else None,
        }  # fmt: skip
        if package_count is not None:
            out["package_count"] = package_count
        return out


@dataclass(frozen=True)
class Package:
    """An open dataset with what is known of its records' provenance."""

    spec: DatasetSpec
    organization: Organization
    providers: tuple[str, ...]
    created: datetime
    modified: datetime
    issued: date  # the publication date (发布日期), a calendar date in China
    theme: Theme  # its CKAN group and DCAT theme
    tags: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.spec.code

    @property
    def id(self) -> str:
        return stable_id("package", self.spec.code)

    def resource_url(self, base: str, fmt: str) -> str:
        return f"{base}/opendata/{self.spec.code}.{FORMATS[fmt][1]}"

    def landing_page(self, base: str) -> str:
        return f"{base}/opendata#{self.spec.code}"

    def text(self) -> str:
        """What free-text search (``q``) looks through: name, titles, description, tags."""
        s = self.spec
        return " ".join((s.code, s.name, s.name_en, s.description, *self.tags)).lower()

    def resource_dict(self, base: str, fmt: str, position: int) -> dict[str, Any]:
        """One download format of the package as CKAN's resource dictionary."""
        s = self.spec
        return {
            "id": stable_id("resource", s.code, fmt), "package_id": self.id,
            "name": f"{s.name}（{fmt}）", "description": FORMATS[fmt][2], "format": fmt,
            "mimetype": FORMATS[fmt][0], "url": self.resource_url(base, fmt),
            "created": _stamp(self.created), "last_modified": _stamp(self.modified),
            "metadata_modified": _stamp(self.modified), "position": position,
            "state": "active", "url_type": None, "size": None, "hash": "",
            "datastore_active": False,
        }  # fmt: skip

    def resources(self, base: str) -> list[dict[str, Any]]:
        return [self.resource_dict(base, fmt, n) for n, fmt in enumerate(FORMATS)]

    def as_dict(self, base: str, settings: Settings) -> dict[str, Any]:
        s = self.spec
        resources = self.resources(base)
        extras = {
            "update_cycle": s.update_cycle, "category": s.category, "info_class": s.info_class,
            "publicity_scope": s.publicity_scope, "share_type": s.share_type,
            "legal_basis": s.legal_basis, "name_en": s.name_en, "spec_version": s.version,
            "providers": "、".join(self.providers),
        }  # fmt: skip
        if s.resource is not None:
            r = s.resource
            extras |= {
                "resource_code": r.code, "classification": r.classification.path,
                "classification_code": r.classification.code, "provider": r.provider.name,
                "open_conditions": r.open_conditions or "", "resource_format": r.format,
                "published": r.published.isoformat(),
            }  # fmt: skip
        return {
            "id": self.id, "name": s.code, "title": s.name, "notes": s.description,
            "type": "dataset", "state": "active", "private": False, "isopen": True,
            "version": s.version, "url": self.landing_page(base),
            "author": self.organization.title, "author_email": None,
            "maintainer": settings.opendata_publisher,
            "maintainer_email": settings.opendata_contact_email,
            "license_id": settings.opendata_license_id,
            "license_title": settings.opendata_license_title,
            "license_url": settings.opendata_license_url,
            "metadata_created": _stamp(self.created), "metadata_modified": _stamp(self.modified),
            "organization": self.organization.as_dict(), "owner_org": self.organization.id,
            "tags": [
                {"id": stable_id("tag", t), "name": t, "display_name": t, "state": "active"}
                for t in self.tags
            ],
            "num_tags": len(self.tags), "groups": [self.theme.as_dict()],
            "resources": resources, "num_resources": len(resources),
            "extras": [{"key": k, "value": v} for k, v in extras.items()],
        }  # fmt: skip


def _stamp(moment: datetime) -> str:
    """CKAN's timestamp form: ISO 8601 in UTC without offset."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(tzinfo=None).isoformat()


def open_specs(catalog: Catalog) -> list[DatasetSpec]:
    """The datasets whose open attribute allows publication as open data."""
    return [spec for spec in catalog if spec.open]


def publisher(settings: Settings, centre: Organization | None) -> Organization:
    """The platform's own organisation: the registered credit centre, else the setting."""
    return centre or Organization(PUBLISHER_NAME, settings.opendata_publisher, "publisher")


def _org(row: Any) -> Organization:
    kind = "centre" if row.kind == "centre" else "provider"
    return Organization(f"dept-{row.id}", row.name, kind, row.created_at)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _declared(spec: DatasetSpec, registered: Sequence[Any]) -> Organization | None:
    """The organisation the catalog names as the resource's provider (信息资源提供方): the
    registered department of that USCC or name, else the provider as the catalog names it."""
    if spec.resource is None:
        return None
    provider = spec.resource.provider
    for row in registered:
        if (provider.code and row.code == provider.code) or row.name == provider.name:
            return _org(row)
    slug = provider.code.lower() if provider.code else stable_id("provider", provider.name)[:8]
    return Organization(f"org-{slug}", provider.name, "provider")


def packages(conn: sa.Connection, catalog: Catalog, settings: Settings) -> list[Package]:
    """Every open dataset as a package, in catalog order.

    Its organisation is the provider its catalog entry declares (resource.provider); without
    one, the department that submitted its records when there is exactly one, else the
    publisher. Created is the entry's publication date (发布日期), else the first submission;
    modified is the last submission.
    """
    specs = open_specs(catalog)
    codes = [s.code for s in specs]
    provenance = conn.execute(
        sa.select(
            submissions.c.dataset, departments.c.id, departments.c.name, departments.c.kind,
            departments.c.created_at,
            sa.func.min(submissions.c.received_at).label("first"),
            sa.func.max(sa.func.coalesce(submissions.c.finished_at, submissions.c.received_at))
            .label("last"),
        )
        .join(departments, departments.c.id == submissions.c.department_id)
        .where(submissions.c.dataset.in_(codes))
        .group_by(submissions.c.dataset, departments.c.id, departments.c.name,
                  departments.c.kind, departments.c.created_at)
        .order_by(departments.c.id)
    ).all()  # fmt: skip
    registered = conn.execute(sa.select(departments).order_by(departments.c.id)).all()
    centre = next((_org(r) for r in registered if r.kind == "centre"), None)
    platform = publisher(settings, centre)
    out: list[Package] = []
    for spec in specs:
        rows = [r for r in provenance if r.dataset == spec.code]
        org = _declared(spec, registered) or (_org(rows[0]) if len(rows) == 1 else platform)
        published = spec.resource.published if spec.resource else spec.effective_from
        issued = datetime.combine(published, time(), CHINA_TZ).astimezone(UTC)
        first = min((_utc(r.first) for r in rows), default=issued)
        created = issued if spec.resource else first
        modified = max((_utc(r.last) for r in rows), default=created)
        tags = tuple(
            dict.fromkeys(t for t in (spec.category, spec.info_class, "公共信用信息") if t)
        )
        theme = taxonomy().of(spec.category)
        out.append(
            Package(spec, org, tuple(r.name for r in rows), created, modified, published, theme,
                    tags)
        )  # fmt: skip
    return out


def find(pkgs: list[Package], id_or_name: str) -> Package:
    for pkg in pkgs:
        if id_or_name in (pkg.name, pkg.id):
            return pkg
    raise NotFound(
        f"没有名为“{id_or_name}”的开放数据集", f"no open dataset with id or name {id_or_name!r}"
    )


def groups(pkgs: list[Package]) -> dict[str, tuple[Theme, list[Package]]]:
    """The themes (CKAN groups) that hold at least one open dataset, with their packages."""
    found: dict[str, tuple[Theme, list[Package]]] = {}
    for pkg in pkgs:
        found.setdefault(pkg.theme.name, (pkg.theme, []))[1].append(pkg)
    return found


def organizations(pkgs: list[Package]) -> dict[str, tuple[Organization, list[Package]]]:
    """The organisations that publish at least one open dataset, with their packages."""
    found: dict[str, tuple[Organization, list[Package]]] = {}
    for pkg in pkgs:
        found.setdefault(pkg.organization.name, (pkg.organization, []))[1].append(pkg)
    return found
