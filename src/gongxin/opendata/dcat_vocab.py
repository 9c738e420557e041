"""The controlled vocabularies the DCAT-AP catalog links to, each linked resource typed with
the class DCAT-AP's range shapes expect (a harvester cannot dereference them all): the EU
authority tables (frequency, file type, language, access right, planned availability,
country, data theme), IANA media types and the ADMS publisher types; and the platform's own
theme scheme (themes.yaml) as a skos:ConceptScheme."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from gongxin.opendata.themes import EU_THEMES, Theme, taxonomy

EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY = Namespace(EU + "frequency/")
FILE_TYPE = Namespace(EU + "file-type/")
DATA_THEME = Namespace(EU + "data-theme/")
DATA_THEMES = URIRef(EU + "data-theme")
LANGUAGE = URIRef(EU + "language/ZHO")
PUBLIC = URIRef(EU + "access-right/PUBLIC")
STABLE = URIRef(EU + "planned-availability/STABLE")
CHINA = URIRef(EU + "country/CHN")
IANA = "https://www.iana.org/assignments/media-types/"
DCATAP = Namespace("http://data.europa.eu/r5r/")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
# ADMS publisher type of the departments and the credit centre: city-level authorities
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")

# 更新周期 (GB/T 21063 update cycle) → EU frequency vocabulary
FREQUENCIES = {
    "实时": "UPDATE_CONT", "每日": "DAILY", "每周": "WEEKLY", "每月": "MONTHLY",
    "每季度": "QUARTERLY", "每半年": "BIANNUAL", "每年": "ANNUAL", "其他": "OTHER",
}  # fmt: skip


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def typed(graph: Graph, node: URIRef, klass: URIRef, label: str | None = None) -> URIRef:
    """``node`` with its class (and a Chinese label) stated in the graph."""
    graph.add((node, RDF.type, klass))
    if label:
        graph.add((node, SKOS.prefLabel, _zh(label)))
    return node


def concept(graph: Graph, node: URIRef, scheme: URIRef, label: str | None = None) -> URIRef:
    typed(graph, node, SKOS.Concept, label)
    graph.add((node, SKOS.inScheme, scheme))
    return node


def frequency(graph: Graph, update_cycle: str) -> URIRef:
    code = FREQUENCIES.get(update_cycle, "OTHER")
    return typed(graph, FREQUENCY[code], DCTERMS.Frequency, update_cycle)


def file_type(graph: Graph, fmt: str) -> URIRef:
    return typed(graph, FILE_TYPE[fmt], DCTERMS.MediaTypeOrExtent)


def media_type(graph: Graph, mimetype: str) -> URIRef:
    return typed(graph, URIRef(IANA + mimetype), DCTERMS.MediaType)


def language(graph: Graph) -> URIRef:
    return typed(graph, LANGUAGE, DCTERMS.LinguisticSystem, "中文")


def public_access(graph: Graph) -> URIRef:
    return typed(graph, PUBLIC, DCTERMS.RightsStatement, "公开")


def stable(graph: Graph) -> URIRef:
    return typed(graph, STABLE, SKOS.Concept, "长期可用")


def china(graph: Graph) -> URIRef:
    """China as dct:Location, with its bounding box and centroid (WGS 84, longitude first)."""
    typed(graph, CHINA, DCTERMS.Location, "中国")
    box = "POLYGON((73.5 18.2, 135.1 18.2, 135.1 53.6, 73.5 53.6, 73.5 18.2))"
    graph.add((CHINA, DCAT.bbox, Literal(box, datatype=GSP.wktLiteral)))
    graph.add((CHINA, DCAT.centroid, Literal("POINT(104.2 35.9)", datatype=GSP.wktLiteral)))
    return CHINA


def local_authority(graph: Graph) -> URIRef:
    return typed(graph, LOCAL_AUTHORITY, SKOS.Concept, "地方政府机构")


def theme_scheme(base: str) -> URIRef:
    """The platform's theme scheme: its CKAN groups."""
    return URIRef(f"{base}/api/3/action/group_list?all_fields=true")


def theme_schemes(graph: Graph, base: str) -> list[URIRef]:
    """The theme taxonomies of the catalog: the platform's themes and the EU data themes."""
    t = taxonomy()
    own = typed(graph, theme_scheme(base), SKOS.ConceptScheme)
    graph.add((own, DCTERMS.title, _zh(t.title)))
    graph.add((own, DCTERMS.title, Literal(t.title_en, lang="en")))
    eu = typed(graph, DATA_THEMES, SKOS.ConceptScheme)
    graph.add((eu, DCTERMS.title, Literal("Data theme", lang="en")))
    return [own, eu]


def themes(graph: Graph, base: str, theme: Theme) -> list[URIRef]:
    """A dataset's themes: its platform theme (a CKAN group) and that theme's EU data theme."""
    own = concept(graph, URIRef(f"{base}/api/3/action/group_show?id={theme.name}"),
                  theme_scheme(base), theme.title)  # fmt: skip
    graph.add((own, SKOS.prefLabel, Literal(theme.title_en, lang="en")))
    graph.add((own, SKOS.notation, Literal(theme.name)))
    english, chinese = EU_THEMES[theme.eu]
    eu = concept(graph, DATA_THEME[theme.eu], DATA_THEMES, chinese)
    graph.add((eu, SKOS.prefLabel, Literal(english, lang="en")))
    graph.add((own, SKOS.broadMatch, eu))
    return [own, eu]
