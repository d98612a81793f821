"""A small, hand-written corpus that exercises French search on every backend."""

from __future__ import annotations

from catalogue.resources.models import (
    Duration,
    Identifier,
    IdentifierKind,
    LicenceType,
    OfferDraft,
    ResourceDraft,
    Status,
)

C = "http://data.education.fr/voc/scolomfr/concept/"
SIXIEME = f"{C}scolomfr-voc-022-num-018"
CM1 = f"{C}scolomfr-voc-022-num-014"
SECONDE = f"{C}scolomfr-voc-022-num-027"  # 2de professionnelle
CYCLE_3 = f"{C}scolomfr-voc-022-num-620"
COLLEGE = f"{C}scolomfr-voc-022-num-016"
MATHS = f"{C}scolomfr-voc-015-num-919"  # mathématiques (discipline)
GEOMETRY_C3 = f"{C}scolomfr-voc-015-num-945"  # solides et figures (maths cycle 3)
SVT = f"{C}scolomfr-voc-015-num-069"
ENGLISH = f"{C}scolomfr-voc-015-num-087"
EXERCISE = f"{C}scolomfr-voc-010-num-027"  # activité pédagogique
PODCAST = f"{C}scolomfr-voc-005-num-033"
TEACHER = f"{C}teacher"  # public cible (voc-011)
LEARNER = f"{C}learner"


def offer(cents: int, licence: LicenceType = LicenceType.TEACHER) -> OfferDraft:
    seats = 30 if licence is LicenceType.CLASS_SEATS else None
    return OfferDraft(
        licence_type=licence, unit_price_cents=cents, duration=Duration.SCHOOL_YEAR, seats=seats
    )


CORPUS: dict[str, ResourceDraft] = {
    "geometrie": ResourceDraft(
        title="Géométrie interactive : solides et figures",
        description="Des exercices pour construire des figures et reconnaître les solides. "
        "Idéal pour l’école et le collège.",
        keywords=["géométrie", "solides"],
        languages=["fre"],
        levels=[SIXIEME],
        disciplines=[GEOMETRY_C3],
        pedagogical_types=[EXERCISE],
        audiences=[LEARNER, TEACHER],
        accessibility=["keyboard"],
        identifiers=[Identifier(IdentifierKind.URL, "https://a.example/geo")],
        offers=[offer(900), offer(15000, LicenceType.CLASS_SEATS)],
        status=Status.PUBLISHED,
    ),
    "oeuvre": ResourceDraft(
        title="L’œuvre d’art au cœur de l’histoire",
        description="Un parcours <b>illustré</b> des grandes œuvres, du Moyen Âge à nos jours.",
        keywords=["arts", "histoire"],
        languages=["fre"],
        levels=[CM1],
        offers=[offer(0)],
        status=Status.PUBLISHED,
    ),
    "svt": ResourceDraft(
        title="Sciences de la vie et de la Terre : la photosynthèse",
        description="Comprendre comment les plantes fabriquent leur matière organique.",
        keywords=["plantes", "photosynthèse"],
        languages=["fre"],
        levels=[SECONDE],
        disciplines=[SVT],
        resource_types=[PODCAST],
        offers=[offer(2500)],
        status=Status.PUBLISHED,
    ),
    "english": ResourceDraft(
        title="English vocabulary games",
        description="Jeux de vocabulaire anglais pour la classe de 6e.",
        keywords=["vocabulaire"],
        languages=["eng"],
        levels=[SIXIEME],
        disciplines=[ENGLISH],
        audiences=[TEACHER],
        accessibility=["captions", "transcript"],
        identifiers=[Identifier(IdentifierKind.ISBN, "9782000000001")],
        offers=[offer(500, LicenceType.ESTABLISHMENT)],
        status=Status.PUBLISHED,
    ),
    "ecole": ResourceDraft(
        title="L'école d'autrefois",
        description="Photographies et témoignages sur l'école de la IIIe République.",
        keywords=["école", "mémoire"],
        languages=["fre"],
        levels=[CM1],
        offers=[offer(1200)],
        status=Status.PUBLISHED,
    ),
    "brouillon": ResourceDraft(
        title="Géométrie en préparation",
        description="Pas encore publiée.",
        levels=[SIXIEME],
        offers=[offer(100)],
        status=Status.DRAFT,
    ),
}
