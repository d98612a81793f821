"""The ENT médiacentre: what a teacher may use, in the GAR `listeRessources` JSON shape that
médiacentre widgets already read (field names and nesting as the GAR gives them)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from catalogue.vocabularies.index import VocabularyIndex

# The GAR's presentation types: a textbook ("manuel d'enseignement", a pedagogical type of
# ScoLOMFR voc-010), or any other teaching resource.
TEXTBOOK = "http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-010-num-014"
TEXTBOOKS = {"code": "MAN", "nom": "Manuels numériques"}
MULTIMEDIA = {"code": "MUL", "nom": "ressources d'enseignement multimédias"}


class Usable(msgspec.Struct, kw_only=True):
    """A resource a teacher may use, as stored."""

    id: UUID
    title: str
    description: str
    thumbnail_url: str | None
    access_url: str | None
    launchable: bool
    resource_types: list[str]
    pedagogical_types: list[str]
    levels: list[str]
    disciplines: list[str]
    publisher_id: UUID
    publisher_name: str
    ark: str | None
    commun: bool = False  # a commun the teacher added to their resources (free)


class Concept(msgspec.Struct):
    uri: str
    nom: str


class Presentation(msgspec.Struct):
    code: str
    nom: str


class Ressource(msgspec.Struct, omit_defaults=False):
    """One resource of a GAR listing (the GAR's own field names)."""

    idRessource: str  # noqa: N815  # the GAR's names
    idType: str  # noqa: N815
    nomRessource: str  # noqa: N815
    idEditeur: str  # noqa: N815
    nomEditeur: str  # noqa: N815
    urlVignette: str  # noqa: N815
    urlAccesRessource: str  # noqa: N815
    typePresentation: Presentation  # noqa: N815
    typePedagogique: list[Concept]  # noqa: N815
    typologieDocument: list[Concept]  # noqa: N815
    niveauEducatif: list[Concept]  # noqa: N815
    domaineEnseignement: list[Concept]  # noqa: N815
    description: str
    distributeurTech: str  # noqa: N815
    validateurTech: str  # noqa: N815
    nomSourceEtiquetteGar: str  # noqa: N815
    urlSourceEtiquette: str  # noqa: N815


class Ressources(msgspec.Struct):
    ressource: list[Ressource]


class Listing(msgspec.Struct):
    listeRessources: Ressources  # noqa: N815


def _access(usable: Usable, issuer: str) -> str:
    """A tool through our LTI launch; a commun at its link, or its page (its files); any
    other resource at its own address."""
    if usable.launchable:
        return f"{issuer}/lti/launch/{usable.id}"
    if usable.commun and not usable.access_url:
        return f"{issuer}/communs/{usable.id}"
    return usable.access_url or ""


def listing(usable: list[Usable], vocab: VocabularyIndex, issuer: str) -> Listing:
    """The GAR listing of these resources (their access address: ``_access``)."""

    def concepts(uris: list[str]) -> list[Concept]:
        return [Concept(uri, vocab.label(uri)) for uri in uris]

    distributor = issuer.split("://", 1)[-1]
    return Listing(
        Ressources(
            [
                Ressource(
                    idRessource=u.ark or f"urn:uuid:{u.id}",
                    idType="ark" if u.ark else "uuid",
                    nomRessource=u.title,
                    idEditeur=str(u.publisher_id),
                    nomEditeur=u.publisher_name,
                    urlVignette=u.thumbnail_url or "",
                    urlAccesRessource=_access(u, issuer),
                    typePresentation=Presentation(
                        **(TEXTBOOKS if TEXTBOOK in u.pedagogical_types else MULTIMEDIA)
                    ),
                    typePedagogique=concepts(u.pedagogical_types),
                    typologieDocument=concepts(u.resource_types),
                    niveauEducatif=concepts(u.levels),
                    domaineEnseignement=concepts(u.disciplines),
                    description=u.description,
                    distributeurTech=distributor,
                    validateurTech=distributor,
                    nomSourceEtiquetteGar="",
                    urlSourceEtiquette="",
                )
                for u in usable
            ]
        )
    )
