"""The open-data catalog as DCAT-AP 3 (RDF, built with rdflib), served as Turtle and JSON-LD.

It conforms to the DCAT-AP 3.0.1 SHACL shapes, base and range (tests/opendata/
test_dcat_shapes.py): the mandatory classes and properties are all there, and every linked
resource is typed with the class DCAT-AP expects (dcat_vocab). Recommended properties are
added where gongxin knows them: keywords; themes (the platform's theme scheme, the EU data
themes and the 政务信息资源分类 classification, each a skos:ConceptScheme named as a theme
taxonomy of the catalog); contact point (vCard); publisher (foaf:Agent with its ADMS publisher
type); accrual periodicity (EU frequency vocabulary); issued (the publication date, a calendar
date in China) and modified; spatial (dct:Location); temporal (dct:PeriodOfTime from the day
the dataset's standard took effect to its latest update); the standard it conforms to
(dct:Standard); landing page; access rights; and per distribution the download URL, format
(EU file types), media type (IANA), licence and availability. Chinese literals carry the
language tag ``zh``.
"""

from __future__ import annotations

from datetime import date, datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, XSD

from gongxin.clock import local_date
from gongxin.opendata import dcat_vocab as vocab
from gongxin.opendata.packages import FORMATS, Organization, Package, publisher
from gongxin.settings import Settings

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

CONTEXT = {
    "dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "vcard": str(VCARD),
    "skos": str(SKOS), "xsd": str(XSD), "dcatap": str(vocab.DCATAP), "owl": str(OWL),
    "gsp": str(vocab.GSP),
}  # fmt: skip


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _moment(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def _day(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _document(graph: Graph, url: str) -> URIRef:
    return vocab.typed(graph, URIRef(url), FOAF.Document)


def _agent(graph: Graph, base: str, org: Organization, uri: str | None = None) -> URIRef:
    """An organisation as foaf:Agent; its URI answers with CKAN's organization_show."""
    node = URIRef(uri or f"{base}/api/3/action/organization_show?id={org.name}")
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    graph.add((node, FOAF.name, _zh(org.title)))
    graph.add((node, DCTERMS.identifier, Literal(org.name)))
    graph.add((node, DCTERMS.type, vocab.local_authority(graph)))
    return node


def _contact(graph: Graph, base: str, settings: Settings) -> BNode:
    node = BNode("contact")
    graph.add((node, RDF.type, VCARD.Kind))
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
    graph.add((catalog, DCTERMS.language, vocab.language(graph)))
    graph.add((catalog, DCTERMS.license, licence))
    graph.add((catalog, DCTERMS.spatial, vocab.china(graph)))
    graph.add((catalog, FOAF.homepage, _document(graph, f"{base}/opendata")))
    for scheme in vocab.theme_schemes(graph, base):
        graph.add((catalog, DCAT.themeTaxonomy, scheme))
    if any(p.spec.resource for p in pkgs):
        graph.add((catalog, DCAT.themeTaxonomy, _classifications(graph, base)))
    if pkgs:
        graph.add((catalog, DCTERMS.issued, _day(min(p.issued for p in pkgs))))
        graph.add((catalog, DCTERMS.modified, _moment(max(p.modified for p in pkgs))))

    for pkg in pkgs:
        graph.add((catalog, DCAT.dataset, _dataset(graph, pkg, base, contact, licence)))
    return graph


def _classifications(graph: Graph, base: str) -> URIRef:
    """政务信息资源分类 (the resource catalog's classification) as a concept scheme."""
    scheme = vocab.typed(graph, URIRef(f"{base}/catalog#classification"), SKOS.ConceptScheme)
    graph.add((scheme, DCTERMS.title, _zh("政务信息资源分类")))
    return scheme


def _standard(graph: Graph, pkg: Package, base: str) -> URIRef:
    """The dataset's data standard (its catalog spec and version) as dct:Standard."""
    spec = pkg.spec
    node = URIRef(f"{base}/catalog#standard-{spec.code}-{spec.version}")
    graph.add((node, RDF.type, DCTERMS.Standard))
    graph.add((node, DCTERMS.title, _zh(f"{spec.name}数据规范（{spec.version}）")))
    graph.add((node, DCTERMS.identifier, Literal(f"{spec.code} {spec.version}")))
    graph.add((node, OWL.versionInfo, Literal(spec.version)))
    graph.add((node, DCTERMS.issued, _day(spec.effective_from)))
    return node


def _period(graph: Graph, pkg: Package) -> BNode:
    """The time the records cover: from the day the dataset's standard took effect to the day
    (in China) of its latest update."""
    node = BNode(f"period-{pkg.spec.code}")
    graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((node, DCAT.startDate, _day(pkg.spec.effective_from)))
    end = local_date(pkg.modified)
    if end >= pkg.spec.effective_from:
        graph.add((node, DCAT.endDate, _day(end)))
    return node


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
    graph.add((node, DCAT.landingPage, _document(graph, pkg.landing_page(base))))
    graph.add((node, DCTERMS.accessRights, vocab.public_access(graph)))
    graph.add((node, DCTERMS.language, vocab.language(graph)))
    graph.add((node, DCTERMS.issued, _day(pkg.issued)))
    graph.add((node, DCTERMS.modified, _moment(pkg.modified)))
    graph.add((node, DCTERMS.conformsTo, _standard(graph, pkg, base)))
    graph.add((node, DCTERMS.spatial, vocab.china(graph)))
    graph.add((node, DCTERMS.temporal, _period(graph, pkg)))
    graph.add((node, DCTERMS.accrualPeriodicity, vocab.frequency(graph, spec.update_cycle)))
    for theme in vocab.themes(graph, base, pkg.theme):
        graph.add((node, DCAT.theme, theme))
    if spec.resource is not None:
        klass = spec.resource.classification
        theme = vocab.concept(
            graph, URIRef(f"{base}/catalog#classification-{klass.code}"),
            _classifications(graph, base), klass.path,
        )  # fmt: skip
        graph.add((theme, SKOS.notation, Literal(klass.code)))
        graph.add((node, DCTERMS.identifier, Literal(spec.resource.code)))
        graph.add((node, DCAT.theme, theme))
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
        graph.add((dist, DCTERMS.format, vocab.file_type(graph, fmt)))
        graph.add((dist, DCAT.mediaType, vocab.media_type(graph, mimetype)))
        graph.add((dist, DCTERMS.license, licence))
        graph.add((dist, DCTERMS.modified, _moment(pkg.modified)))
        graph.add((dist, DCTERMS.identifier, Literal(f"{spec.code}.{ext}")))
        graph.add((dist, vocab.DCATAP.availability, vocab.stable(graph)))
        graph.add((dist, DCTERMS.language, vocab.language(graph)))
    return node


def turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def json_ld(graph: Graph) -> str:
    return graph.serialize(format="json-ld", context=CONTEXT, indent=2)
