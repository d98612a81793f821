"""The body of a GAR subscription ("abonnement"), built from a typed Struct.

The GAR subscription web service takes one XML element, ``abonnement``, in the namespace
``http://www.atosworldline.com/wsabonnement/v1.0/``: PUT creates it (with ``uaiEtab``), POST
updates it (without), DELETE removes it. ``schemas/gar/abonnement.xsd`` describes the body;
the tests validate every body built here against it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import msgspec
from lxml import etree
from lxml.builder import ElementMaker

NAMESPACE = "http://www.atosworldline.com/wsabonnement/v1.0/"
CONTENT_TYPE = "application/xml"
UNLIMITED: Literal["ILLIMITE"] = "ILLIMITE"
# GAR validity dates are local times without a zone: French school time.
GAR_TIME_ZONE = ZoneInfo("Europe/Paris")

LicenceCount = Annotated[int, msgspec.Meta(ge=1)] | Literal["ILLIMITE"]


class AssignmentType(enum.StrEnum):
    """typeAffectation: licences assigned to named people, or to the whole establishment."""

    INDIVIDUAL = "INDIV"
    ESTABLISHMENT = "ETABL"


class Audience(enum.StrEnum):
    """publicCible: who may be assigned the resource."""

    PUPIL = "ELEVE"
    TEACHER = "ENSEIGNANT"
    LIBRARIAN = "DOCUMENTALISTE"
    OTHER_STAFF = "AUTRE PERSONNEL"


class Licences(msgspec.Struct, kw_only=True, frozen=True):
    """How many licences: one global count, or counts per profile (teachers, pupils)."""

    assignment: AssignmentType
    teachers: LicenceCount | None = None  # nbLicenceEnseignant
    pupils: LicenceCount | None = None  # nbLicenceEleve
    total: LicenceCount | None = None  # nbLicenceGlobale

    def __post_init__(self) -> None:
        per_profile = self.teachers is not None or self.pupils is not None
        if per_profile == (self.total is not None):
            raise ValueError("a global licence count, or counts per profile: one of the two")


def licences_for(licence_type: str, seats: int | None) -> Licences:
    """The GAR counts of one of our licences (``teacher``, ``class_seats`` or
    ``establishment``, see catalogue.resources.models.LicenceType): a teacher's licence is
    INDIV for that many teachers; a class licence INDIV for its pupils and their teacher; an
    establishment licence ETABL, for everyone (ILLIMITE) unless it counts seats."""
    if licence_type == "teacher":
        return Licences(assignment=AssignmentType.INDIVIDUAL, teachers=seats or 1)
    if licence_type == "class_seats":
        return Licences(assignment=AssignmentType.INDIVIDUAL, teachers=1, pupils=seats or UNLIMITED)
    if licence_type == "establishment":
        return Licences(assignment=AssignmentType.ESTABLISHMENT, total=seats or UNLIMITED)
    raise ValueError(f"no GAR licence count for a licence of type {licence_type!r}")


def audiences_for(licence_type: str) -> tuple[Audience, ...]:
    """publicCible of one of our offers, by who its licence type serves: a teacher's licence
    its teacher; a class licence its teacher and pupils; an establishment licence everyone."""
    if licence_type == "teacher":
        return (Audience.TEACHER,)
    if licence_type == "class_seats":
        return (Audience.TEACHER, Audience.PUPIL)
    if licence_type == "establishment":
        return tuple(Audience)
    raise ValueError(f"no GAR audience for a licence of type {licence_type!r}")


NonEmpty = Annotated[str, msgspec.Meta(pattern=r"\S")]


class Subscription(msgspec.Struct, kw_only=True, frozen=True):
    """One GAR subscription: what its body says, by the names of its elements."""

    id: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._\-]{1,255}$")]  # idAbonnement
    distributor_id: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{9}_[0-9]{16}$")]
    resource_id: NonEmpty  # idRessource: the ARK, or the GAR id the publisher gave
    resource_id_type: Literal["ark"] = "ark"  # typeIdRessource
    resource_label: NonEmpty  # libelleRessource: the resource's title
    valid_from: datetime  # debutValidite
    valid_until: datetime  # finValidite
    establishment_uai: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{7}[A-Z]$")]  # uaiEtab
    category: Literal["transferable"] = "transferable"  # categorieAffectation
    licences: Licences  # typeAffectation and the nbLicence... counts
    audiences: Annotated[tuple[Audience, ...], msgspec.Meta(min_length=1, max_length=4)]
    project_code: NonEmpty | None = None  # codeProjetRessource, when configured


def _local_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("GAR validity dates are built from aware datetimes")
    return moment.astimezone(GAR_TIME_ZONE).replace(tzinfo=None, microsecond=0).isoformat()


def _count(count: LicenceCount) -> str:
    return count if isinstance(count, str) else str(count)


def body(subscription: Subscription, *, update: bool = False) -> bytes:
    """The XML body: for a creation (PUT), or for an update (POST, without ``uaiEtab``)."""
    subscription = msgspec.convert(  # the Struct's constraints, whoever built it
        msgspec.to_builtins(subscription), Subscription
    )
    e = ElementMaker(namespace=NAMESPACE, nsmap={None: NAMESPACE})
    parts: list[etree._Element] = [
        e.idAbonnement(subscription.id),
        e.idDistributeurCom(subscription.distributor_id),
        e.idRessource(subscription.resource_id),
        e.typeIdRessource(subscription.resource_id_type),
        e.libelleRessource(" ".join(subscription.resource_label.split())),
        e.debutValidite(_local_time(subscription.valid_from)),
        e.finValidite(_local_time(subscription.valid_until)),
    ]
    if not update:
        parts.append(e.uaiEtab(subscription.establishment_uai))
    licences = subscription.licences
    parts += [e.categorieAffectation(subscription.category), e.typeAffectation(licences.assignment)]
    if licences.total is not None:
        parts.append(e.nbLicenceGlobale(_count(licences.total)))
    if licences.teachers is not None:
        parts.append(e.nbLicenceEnseignant(_count(licences.teachers)))
    if licences.pupils is not None:
        parts.append(e.nbLicenceEleve(_count(licences.pupils)))
    parts += [e.publicCible(audience) for audience in dict.fromkeys(subscription.audiences)]
    if subscription.project_code:
        parts.append(e.codeProjetRessource(subscription.project_code))
    document: bytes = etree.tostring(e.abonnement(*parts), xml_declaration=True, encoding="UTF-8")
    return document
