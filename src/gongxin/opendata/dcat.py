"""The open-data catalog as DCAT-AP (RDF, built with rdflib), served as Turtle and JSON-LD.

DCAT-AP's mandatory classes and properties are all present: the dcat:Catalog with dct:title,
dct:description, dct:publisher and dcat:dataset; every dcat:Dataset with dct:title and
dct:description; every dcat:Distribution with dcat:accessURL; every foaf:Agent with foaf:name.
Recommended ones are added where gongxin knows them: keywords, themes, contact point (vCard),
publisher, accrual periodicity (EU frequency vocabulary), issued/modified, landing page, access
rights, distributions' download URL, format (EU file types), media type (IANA) and licence.
Chinese literals carry the language tag ``zh``.
"""

from __future__ import annotations

from datetime import datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from gongxin.opendata.packages import FORMATS, Organization, Package, publisher
from gongxin.settings import Settings

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY = Namespace(EU + "frequency/")
FILE_TYPE = Namespace(EU + "file-type/")
DATA_THEME = Namespace(EU + "data-theme/")
LANGUAGE = URIRef(EU + "language/ZHO")
PUBLIC = URIRef(EU + "access-right/PUBLIC")
IANA = "https://www.iana.org/assignments/media-types/"

# 更新周期 (GB/T 21063 update cycle) → EU frequency vocabulary
FREQUENCIES = {
    "实时": "UPDATE_CONT", "每日": "DAILY", "每周": "WEEKLY", "每月": "MONTHLY",
    "每季度": "QUARTERLY", "每半年": "BIANNUAL", "每年": "ANNUAL", "其他": "OTHER",
}  # fmt: skip

CONTEXT = {
    "dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "vcard": str(VCARD),
    "skos": str(SKOS), "xsd": str(XSD),
}  # fmt: skip


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _moment(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def _agent(graph: Graph, base: str, org: Organization, uri: str | None = None) -> URIRef:
    """An organisation as foaf:Agent; its URI answers with CKAN's organization_show."""
    node = URIRef(uri or f"{base}/api/3/action/organization_show?id={org.name}")
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    graph.add((node, FOAF.name, _zh(org.title)))
    graph.add((node, DCTERMS.identifier, Literal(org.name)))
    return node


def _contact(graph: Graph, base: str, settings: Settings) -> BNode:
    node = BNode("contact")
    graph.add((node, RDF.type, VCARD.Organization))
    graph.add((node, VCARD.fn, _zh(settings.opendata_publisher)))
    graph.add((node, VCARD.hasEmail, URIRef(f"mailto:{settings.opendata_contact_email}")))
    graph.add((node, VCARD.hasURL, URIRef(f"{base}/opendata")))
    return node


def catalog_graph(pkgs: list[Package], base: str, settings: Settings) -> Graph:
    """The DCAT-AP graph of every open dataset; ``base`` is the public base URL."""
    graph = Graph()
    for prefix, uri in CONTEXT.items():
        graph.bind(prefix, Namespace(uri))
    catalog = URIRef(f"{base}/catalog")
    platform = _agent(graph, base, publisher(settings, None), f"{base}/opendata#publisher")
    contact = _contact(graph, base, settings)
    licence = URIRef(settings.opendata_license_url)
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.title, Literal(settings.opendata_license_title)))
    graph.add((licence, DCTERMS.identifier, Literal(settings.opendata_license_id)))

    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add(
        (catalog, DCTERMS.title, _zh(f"{settings.opendata_publisher} 公共信用信息开放数据目录"))
    )
    graph.add((catalog, DCTERMS.title, Literal("Open public credit information", lang="en")))
    graph.add(
        (catalog, DCTERMS.description,
         _zh("依开放属性向社会开放的公共信用信息数据集；个人姓名与身份证件号码已脱敏，"
             "仅含下载当日处于公示期内的记录。")),
    )  # fmt: skip
    graph.add((catalog, DCTERMS.publisher, platform))
    graph.add((catalog, DCTERMS.language, LANGUAGE))
    graph.add((catalog, DCTERMS.license, licence))
    graph.add((catalog, FOAF.homepage, URIRef(f"{base}/opendata")))
    if pkgs:
        graph.add((catalog, DCTERMS.modified, _moment(max(p.modified for p in pkgs))))

    for pkg in pkgs:
        graph.add((catalog, DCAT.dataset, _dataset(graph, pkg, base, contact, licence)))
    return graph


def _dataset(graph: Graph, pkg: Package, base: str, contact: BNode, licence: URIRef) -> URIRef:
    spec = pkg.spec
    node = URIRef(pkg.landing_page(base))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.title, _zh(spec.name)))
    if spec.name_en:
        graph.add((node, DCTERMS.title, Literal(spec.name_en, lang="en")))
    graph.add((node, DCTERMS.description, _zh(spec.description or spec.name)))
    graph.add((node, DCTERMS.identifier, Literal(spec.code)))
    graph.add((node, DCTERMS.publisher, _agent(graph, base, pkg.organization)))
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((node, DCAT.landingPage, URIRef(pkg.landing_page(base))))
    graph.add((node, DCTERMS.accessRights, PUBLIC))
    graph.add((node, DCTERMS.language, LANGUAGE))
    graph.add((node, DCTERMS.issued, _moment(pkg.created)))
    graph.add((node, DCTERMS.modified, _moment(pkg.modified)))
    graph.add((node, DCTERMS.conformsTo, Literal(f"{spec.code} {spec.version}")))
    graph.add((node, DCAT.theme, DATA_THEME.GOVE))
    graph.add((node, DCTERMS.accrualPeriodicity, FREQUENCY[FREQUENCIES.get(spec.update_cycle,
                                                                          "OTHER")]))  # fmt: skip
    if spec.resource is not None:
        klass = spec.resource.classification
        theme = BNode(f"classification-{spec.code}")
        graph.add((node, DCTERMS.identifier, Literal(spec.resource.code)))
        graph.add((node, DCAT.theme, theme))
        graph.add((theme, RDF.type, SKOS.Concept))
        graph.add((theme, SKOS.notation, Literal(klass.code)))
        graph.add((theme, SKOS.prefLabel, _zh(klass.path)))
    for tag in pkg.tags:
        graph.add((node, DCAT.keyword, _zh(tag)))
    for fmt, (mimetype, ext, description) in FORMATS.items():
        dist = URIRef(pkg.resource_url(base, fmt))
        graph.add((node, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, _zh(f"{spec.name}（{fmt}）")))
        graph.add((dist, DCTERMS.description, _zh(description)))
        graph.add((dist, DCAT.accessURL, dist))
        graph.add((dist, DCAT.downloadURL, dist))
        graph.add((dist, DCTERMS.format, FILE_TYPE[fmt]))
        graph.add((dist, DCAT.mediaType, URIRef(IANA + mimetype)))
        graph.add((dist, DCTERMS.license, licence))
        graph.add((dist, DCTERMS.modified, _moment(pkg.modified)))
        graph.add((dist, DCTERMS.identifier, Literal(f"{spec.code}.{ext}")))
    return node


def turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def json_ld(graph: Graph) -> str:
    return graph.serialize(format="json-ld", context=CONTEXT, indent=2)
