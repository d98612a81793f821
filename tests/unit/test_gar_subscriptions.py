"""GAR subscription bodies: every body built is valid against schemas/gar/abonnement.xsd."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import msgspec
import pytest
from lxml import etree

from catalogue.gar.subscriptions import (
    NAMESPACE,
    UNLIMITED,
    Audience,
    Licences,
    Subscription,
    body,
    licences_for,
)
from catalogue.shipped import schemas_dir

N = f"{{{NAMESPACE}}}"
SUBSCRIPTION = Subscription(
    id="CAT-0f9c2a4e5b6d4c3a8e1f2a3b4c5d6e7f",
    distributor_id="123456789_0000000000000000",
    resource_id="ark:/99999/gar-tests/atelier-fractions",
    resource_label="Atelier  des fractions",
    valid_from=datetime(2026, 8, 31, 22, 0, tzinfo=UTC),  # 1 September, midnight in Paris
    valid_until=datetime(2027, 8, 31, 21, 59, 59, tzinfo=UTC),
    establishment_uai="0450822Z",
    licences=licences_for("teacher", 1),
    audiences=(Audience.TEACHER, Audience.PUPIL),
)


@functools.cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schemas_dir() / "gar" / "abonnement.xsd")))


def valid(document: bytes) -> etree._Element:
    root = etree.fromstring(document)
    assert schema().validate(etree.ElementTree(root)), schema().error_log
    return root


def elements(root: etree._Element) -> list[tuple[str, str]]:
    return [(child.tag.removeprefix(N), child.text) for child in root]


def test_a_creation_body_in_the_order_and_values_of_the_gar() -> None:
    document = body(SUBSCRIPTION)
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = valid(document)
    assert root.tag == f"{N}abonnement"
    assert elements(root) == [
        ("idAbonnement", "CAT-0f9c2a4e5b6d4c3a8e1f2a3b4c5d6e7f"),
        ("idDistributeurCom", "123456789_0000000000000000"),
        ("idRessource", "ark:/99999/gar-tests/atelier-fractions"),
        ("typeIdRessource", "ark"),
        ("libelleRessource", "Atelier des fractions"),
        ("debutValidite", "2026-09-01T00:00:00"),
        ("finValidite", "2027-08-31T23:59:59"),
        ("uaiEtab", "0450822Z"),
        ("categorieAffectation", "transferable"),
        ("typeAffectation", "INDIV"),
        ("nbLicenceEnseignant", "1"),
        ("publicCible", "ENSEIGNANT"),
        ("publicCible", "ELEVE"),
    ]


def test_an_update_body_leaves_out_the_establishment() -> None:
    root = valid(body(SUBSCRIPTION, update=True))
    names = [name for name, _ in elements(root)]
    assert "uaiEtab" not in names
    assert names[6:8] == ["finValidite", "categorieAffectation"]


@pytest.mark.parametrize(
    ("licence_type", "seats", "assignment", "counts"),
    [
        ("teacher", 1, "INDIV", [("nbLicenceEnseignant", "1")]),
        ("teacher", 12, "INDIV", [("nbLicenceEnseignant", "12")]),
        ("class_seats", 28, "INDIV", [("nbLicenceEnseignant", "1"), ("nbLicenceEleve", "28")]),
        (
            "class_seats",
            None,
            "INDIV",
            [("nbLicenceEnseignant", "1"), ("nbLicenceEleve", UNLIMITED)],
        ),
        ("establishment", None, "ETABL", [("nbLicenceGlobale", UNLIMITED)]),
        ("establishment", 450, "ETABL", [("nbLicenceGlobale", "450")]),
    ],
)
@pytest.mark.parametrize("update", [False, True])
def test_every_licence_count_gives_a_valid_body(
    licence_type: str,
    seats: int | None,
    assignment: str,
    counts: list[tuple[str, str]],
    update: bool,
) -> None:
    subscription = msgspec.structs.replace(
        SUBSCRIPTION,
        licences=licences_for(licence_type, seats),
        audiences=tuple(Audience),
        project_code="PROJET-1" if update else None,
    )
    found = elements(valid(body(subscription, update=update)))
    assert ("typeAffectation", assignment) in found
    assert [(n, v) for n, v in found if n.startswith("nbLicence")] == counts
    assert [v for n, v in found if n == "publicCible"] == [
        "ELEVE",
        "ENSEIGNANT",
        "DOCUMENTALISTE",
        "AUTRE PERSONNEL",
    ]
    assert (found[-1] == ("codeProjetRessource", "PROJET-1")) is update


def test_licence_counts_global_or_per_profile_never_both_nor_none() -> None:
    with pytest.raises(ValueError, match="one of the two"):
        Licences(assignment=licences_for("teacher", 1).assignment, teachers=1, total=UNLIMITED)
    with pytest.raises(ValueError, match="one of the two"):
        Licences(assignment=licences_for("teacher", 1).assignment)
    with pytest.raises(ValueError, match="no GAR licence count"):
        licences_for("perpetual", 1)


@pytest.mark.parametrize(
    "change",
    [
        {"establishment_uai": "45-0822"},
        {"distributor_id": "123456789"},
        {"id": "abonnement 1/2"},
        {"resource_label": "   "},
        {"audiences": ()},
    ],
)
def test_a_subscription_the_gar_would_refuse_is_never_built(change: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        body(msgspec.structs.replace(SUBSCRIPTION, **change))


def test_validity_dates_must_be_aware() -> None:
    naive = msgspec.structs.replace(SUBSCRIPTION, valid_from=datetime(2026, 9, 1))  # noqa: DTZ001  # the point
    with pytest.raises(ValueError, match="aware"):
        body(naive)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<typeAffectation>INDIV", b"<typeAffectation>indiv"),
        (b"<nbLicenceEnseignant>1<", b"<nbLicenceEnseignant>0<"),
        (b"2026-09-01T00:00:00", b"2026-09-01T00:00:00+02:00"),
        (b"<categorieAffectation>transferable", b"<categorieAffectation>libre"),
    ],
)
def test_the_schema_refuses_what_the_examples_do_not_allow(old: bytes, new: bytes) -> None:
    document = body(SUBSCRIPTION)
    assert old in document
    root = etree.fromstring(document.replace(old, new))
    assert not schema().validate(etree.ElementTree(root))


def test_the_schema_holds_the_order_of_the_elements() -> None:
    root = etree.fromstring(body(SUBSCRIPTION))
    root.append(root[0])  # idAbonnement moved to the end
    assert not schema().validate(etree.ElementTree(root))
    missing = etree.fromstring(body(SUBSCRIPTION))
    for element in missing.findall(f"{N}publicCible"):
        missing.remove(element)
    assert not schema().validate(etree.ElementTree(missing))
