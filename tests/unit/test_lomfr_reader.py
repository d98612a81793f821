"""The ScoLOMFR reader on the shapes real publishers send, against the shipped vocabularies."""

from __future__ import annotations

import functools
import re

import msgspec
import pytest
from lxml import etree

from catalogue.oai.formats import scolomfr
from catalogue.oai.records import Notice
from catalogue.resources.models import Contributor
from catalogue.resources.service import normalise_draft
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.extra import extra_concepts
from catalogue.vocabularies.index import ConceptRecord, VocabularyIndex
from catalogue.vocabularies.languages import normalise_language
from catalogue.vocabularies.skos import load_folder
from connectors.contract import Context, Record, Rejected
from connectors.lomfr import LomFrConnector, _schema
from connectors.lomvocab import SCHEMES
from connectors.vcard import vcard_name

C = "http://data.education.fr/voc/scolomfr/concept/"


@functools.cache
def vocabulary() -> VocabularyIndex:
    concepts, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
    return VocabularyIndex(
        [
            msgspec.convert(msgspec.to_builtins(c), ConceptRecord, strict=False)
            for c in [*concepts, *extra_concepts()]
        ]
    )


def context() -> Context:
    vocab = vocabulary()
    return Context(concept_for_label=vocab.concept_for_label, concept=vocab.lookup)


def read(body: str) -> Record:
    notice = (
        '<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title><string>Titre</string></title>'
        f"{body}</general></lom>"
    )
    return only(notice)


def read_lom(body: str) -> Record:
    notice = (
        '<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title><string>Titre</string></title>'
        f"</general>{body}</lom>"
    )
    return only(notice)


def only(document: str) -> Record:
    [result] = LomFrConnector().read(document.encode(), context())
    assert isinstance(result, Record), result
    return result


def test_every_vocabulary_the_reader_reads_is_shipped() -> None:
    shipped = set(vocabulary().schemes())
    read_schemes = {scheme for schemes in SCHEMES.values() for scheme in schemes}
    assert read_schemes <= shipped, read_schemes - shipped


def test_the_audience_vocabulary_is_the_one_the_xsd_enumerates() -> None:
    xsd = schemas_dir() / "xsd" / "scolomfr-3.2.1" / "scolomfr" / "vocab" / "voc_011.xsd"
    enumerated = set(re.findall(r'enumeration value="([^"]+)"', xsd.read_text(encoding="utf-8")))
    audiences = vocabulary().scheme("011") or []
    assert {c.uri for c in audiences} == enumerated
    assert {c.label for c in audiences} == {"enseignant", "apprenant", "auteur", "gestionnaire"}


def test_intended_audience_is_recognised_as_uri_lom_value_or_label() -> None:
    record = read_lom(
        "<educational>"
        f"<intendedEndUserRole><source>SCOLOMFRv3.2</source><value>{C}teacher</value>"
        "</intendedEndUserRole>"
        "<intendedEndUserRole><source>LOMv1.0</source><value>learner</value>"
        "</intendedEndUserRole>"
        "<intendedEndUserRole><value>gestionnaire</value></intendedEndUserRole>"
        "</educational>"
    )
    assert record.draft.audiences == [f"{C}teacher", f"{C}learner", f"{C}manager"]
    draft, unknown = normalise_draft(record.draft, vocabulary())
    assert (draft.audiences, unknown) == (record.draft.audiences, [])


def test_a_taxon_path_of_siblings_keeps_every_value() -> None:
    record = read_lom(
        "<classification><purpose><value>educational level</value></purpose><taxonPath>"
        "<taxon><id>ECO</id><entry><string>école primaire</string></entry></taxon>"
        "<taxon><id>VG</id><entry><string>voie générale</string></entry></taxon>"
        "<taxon><id>VT</id><entry><string>voie technologique</string></entry></taxon>"
        "<taxon><id>SUP</id><entry><string>enseignement supérieur</string></entry></taxon>"
        "<taxon><id>XX</id><entry><string>niveau inventé</string></entry></taxon>"
        "</taxonPath></classification>"
    )
    levels = record.draft.levels
    vocab = vocabulary()
    labels = [vocab.label(uri) for uri in levels]
    assert labels == [
        "école primaire",
        "voie générale",
        "voie technologique",
        "enseignement supérieur",
        "niveau inventé",
    ]
    # "école primaire" is no label of ScoLOMFR 3.2: kept apart as unknown, and reported.
    draft, unknown = normalise_draft(record.draft, vocab)
    assert unknown == ["école primaire", "niveau inventé"]
    assert [vocab.label(uri) for uri in draft.levels] == labels[1:4]


def test_a_taxon_path_root_to_leaf_or_leaf_to_root_is_one_value() -> None:
    record = read_lom(
        "<classification><purpose><value>educational level</value></purpose>"
        f"<taxonPath><taxon><id>{C}scolomfr-voc-022-num-008</id></taxon>"
        f"<taxon><id>{C}scolomfr-voc-022-num-014</id></taxon></taxonPath>"
        # 1.x ids, renumbered since (087 is no longer "lycée professionnel"), leaf first.
        "<taxonPath><taxon><id>scolomfr-voc-022-num-027</id><entry><string>2de professionnelle"
        "</string></entry></taxon><taxon><id>scolomfr-voc-022-num-087</id><entry><string>"
        "lycée professionnel</string></entry></taxon></taxonPath></classification>"
    )
    assert record.draft.levels == [f"{C}scolomfr-voc-022-num-014", f"{C}scolomfr-voc-022-num-027"]


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ("BEGIN:VCARD VERSION:3.0 N:EDUMEDIA FN:EDUMEDIA END:VCARD", ("EDUMEDIA", None)),
        (
            "BEGIN:VCARD VERSION:3.0 FN:Jean Dupont ORG:Éditions du Lac;Service END:VCARD",
            ("Jean Dupont", "Éditions du Lac"),
        ),
        (
            "BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=C3=89milie\nEND:VCARD",
            ("Émilie", None),
        ),
    ],
)
def test_one_line_and_quoted_printable_vcards(card: str, expected: tuple[str, str | None]) -> None:
    assert vcard_name(card) == expected


def test_one_line_vcards_and_plain_text_entities_keep_their_contributor() -> None:
    record = read_lom(
        "<lifeCycle><contribute><role><value>publisher</value></role>"
        "<entity>BEGIN:VCARD VERSION:3.0 N:EDUMEDIA FN:EDUMEDIA END:VCARD</entity></contribute>"
        "<contribute><role><value>author</value></role><entity>  Marie   Curie </entity>"
        "</contribute></lifeCycle>"
    )
    assert record.draft.contributors == [
        Contributor(role="publisher", name="EDUMEDIA"),
        Contributor(role="author", name="Marie Curie"),
    ]
    assert record.warnings == [
        "contributeur 'Marie Curie' qui n'est pas une vCard : gardé comme nom"
    ]


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("fr", "fre"),
        ("fra", "fre"),
        ("fre", "fre"),
        ("FR", "fre"),
        ("fr-FR", "fre"),
        ("fr_CA", "fre"),
        ("http://id.loc.gov/vocabulary/iso639-2/fre", "fre"),
        ("http://id.loc.gov/vocabulary/iso639-1/de", "ger"),
        ("deu", "ger"),
        ("nld", "dut"),
        ("zh-Hans", "chi"),
        ("rcf", "rcf"),  # ISO 639-3 only: kept as such
        ("oc", "oci"),
    ],
)
def test_language_codes_of_every_kind_become_the_stored_code(given: str, code: str) -> None:
    found = normalise_language(given)
    assert found is not None
    assert (found.code, found.known) == (code, True)


def test_languages_are_normalised_unknown_codes_kept_and_nothing_dropped_silently() -> None:
    record = read(
        "<language>fr-FR</language><language>http://id.loc.gov/vocabulary/iso639-2/eng</language>"
        "<language>zzz</language><language>allemand</language><language>??</language>"
    )
    assert record.draft.languages == ["fre", "eng", "zzz", "ger"]
    assert record.warnings == [
        "langue 'fr-FR' lue comme 'fre'",
        "code de langue 'zzz' inconnu de l'ISO 639 : gardé comme 'zzz'",
        "langue 'allemand' lue comme 'ger'",
        "langue '??' qui n'est pas un code de langue (1.3) : ignorée",
    ]


def test_an_unreadable_notice_is_rejected_and_the_batch_goes_on() -> None:
    document = (
        "<records>"
        '<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general/></lom>'
        '<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title>Bon</title></general></lom>'
        "</records>"
    )
    results = list(LomFrConnector().read(document.encode(), context()))
    assert isinstance(results[0], Rejected)
    assert results[0].message == "pas de titre (1.2 titre)"
    assert isinstance(results[1], Record)
    assert results[1].draft.title == "Bon"


def test_the_lom_export_carries_the_audience_and_reads_back() -> None:
    row = {
        "title": "Fractions",
        "languages": ["fre"],
        "description": "",
        "keywords": [],
        "resource_types": [],
        "access_url": None,
        "pedagogical_types": [],
        "audiences": [f"{C}teacher", f"{C}learner"],
        "levels": [],
        "disciplines": [],
        "identifiers": [],
        "formats": [],
        "rights": None,
        "contributors": [],
    }
    notice = scolomfr(msgspec.convert(row, Notice), vocabulary().label, "oai:test:1")
    assert _schema().validate(etree.ElementTree(notice)), _schema().error_log
    record = only(etree.tostring(notice).decode())
    assert record.draft.audiences == row["audiences"]
    assert record.warnings == []
