from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import msgspec
import pytest

from catalogue.demo.generator import PUBLISHERS, GeneratedResource, generate
from catalogue.resources.models import Duration, IdentifierKind, LicenceType, ResourceDraft, Status
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.extra import ACCESSIBILITY
from catalogue.vocabularies.skos import Concept, load_folder

SCHOOL_LEVELS = {
    "CP": "e",
    "CE1": "e",
    "CE2": "e",
    "CM1": "e",
    "CM2": "e",
    "6e": "c",
    "5e": "c",
    "4e": "c",
    "3e": "c",
    "2de générale et technologique": "l",
    "1re générale et technologique": "l",
    "terminale générale et technologique": "l",
}
# The main voc-015 concept of each discipline family. ScoLOMFR 3.2.0 has no concept for NSI
# nor SNT: the generator uses the closest ones it has.
FAMILIES = {
    "mathématiques (discipline)",
    "français (discipline)",
    "sciences de la vie et de la Terre (discipline)",
    "physique-chimie (discipline)",
    "technologie (discipline)",
    "anglais",
    "allemand",
    "espagnol",
    "histoire",
    "géographie",
    "éducation physique et sportive (discipline)",
    "enseignement moral et civique (discipline)",
    "sciences économiques et sociales",
    "informatique et sciences du numérique (enseignement de spécialité)",  # NSI
    "informatique",  # SNT
    "arts plastiques (discipline)",
    "éducation musicale (discipline)",
}


@pytest.fixture(scope="module")
def concepts() -> list[Concept]:
    loaded, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
    return loaded


@pytest.fixture(scope="module")
def by_uri(concepts: list[Concept]) -> dict[str, Concept]:
    return {c.uri: c for c in concepts}


@pytest.fixture(scope="module")
def sample(concepts: list[Concept]) -> list[GeneratedResource]:
    return list(generate(3000, concepts))


def isbn_is_valid(value: str) -> bool:
    digits = value.replace("-", "")
    if not re.fullmatch(r"9782\d{9}", digits):
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return total % 10 == 0


def test_the_same_seed_gives_the_same_resources(concepts: list[Concept]) -> None:
    first = list(generate(300, concepts, seed=7))
    assert first == list(generate(300, concepts, seed=7))
    other = list(generate(300, concepts, seed=8))
    assert [g.draft.title for g in other] != [g.draft.title for g in first]
    assert list(generate(50, concepts))[:50] == list(generate(300, concepts))[:50]


# What the demo and the benchmarks load: the same seed must keep giving these very resources
# (pinned when the generator's tables moved from Python literals to data files; pinned again
# when drafts gained `gar_referenced` and `gar_resource_id`, checked to be the same resources
# with those two fields left out).
PINNED = {
    2026: "c628b9271893b287abea6c5eb346e09c84bfb36211a4478df2636d151262b2a0",
    7: "c7388d6181e8339c0c3c6686594188debf668932b651f3c285525daf6e801eb8",
}


@pytest.mark.parametrize("seed", sorted(PINNED))
def test_a_seed_gives_the_pinned_catalogue(concepts: list[Concept], seed: int) -> None:
    encoded = msgspec.json.encode(list(generate(3000, concepts, seed=seed)))
    assert hashlib.sha256(encoded).hexdigest() == PINNED[seed]


def test_count_is_respected_and_streamed(concepts: list[Concept]) -> None:
    stream = generate(257, concepts)
    assert isinstance(stream, Iterator)
    assert sum(1 for _ in stream) == 257
    assert list(generate(0, concepts)) == []
    assert len(list(generate(1, concepts))) == 1
    with pytest.raises(ValueError, match="negative"):
        generate(-1, concepts)
    with pytest.raises(ValueError, match="no concept labelled"):
        generate(1, [c for c in concepts if c.scheme != "scolomfr-voc-022"])


def test_every_school_level_and_discipline_family_appears(
    sample: list[GeneratedResource], by_uri: dict[str, Concept]
) -> None:
    levels = {by_uri[uri].label for g in sample for uri in g.draft.levels}
    assert set(SCHOOL_LEVELS) <= levels
    main = {by_uri[g.draft.disciplines[0]].label for g in sample}
    assert main >= FAMILIES
    keywords = {g.draft.keywords[0] for g in sample}
    assert {"nsi", "snt", "svt", "eps", "emc", "ses"} <= keywords
    assert {g.publisher for g in sample} == set(PUBLISHERS)


def test_drafts_satisfy_the_model_constraints(
    sample: list[GeneratedResource], by_uri: dict[str, Concept]
) -> None:
    schemes = {
        "resource_types": "scolomfr-voc-005",
        "pedagogical_types": "scolomfr-voc-010",
        "levels": "scolomfr-voc-022",
        "disciplines": "scolomfr-voc-015",
    }
    for number, generated in enumerate(sample[:500], start=1):
        draft = generated.draft
        assert msgspec.convert(msgspec.to_builtins(draft), ResourceDraft) == draft
        assert draft.status is Status.PUBLISHED
        for field, scheme in schemes.items():
            uris = getattr(draft, field)
            assert uris
            assert len(uris) == len(set(uris))
            assert all(by_uri[u].scheme == scheme and not by_uri[u].deprecated for u in uris)
        assert 1 <= len(draft.resource_types) <= 2
        assert 1 <= len(draft.pedagogical_types) <= 2
        assert 1 <= len(draft.levels) <= 3
        assert 1 <= len(draft.disciplines) <= 2
        assert 2 <= len(draft.keywords) <= 5
        assert all(k == k.lower() for k in draft.keywords)
        assert set(draft.accessibility) <= set(ACCESSIBILITY)
        assert draft.description.endswith(".")
        assert 2 <= draft.description.count(". ") + 1 <= 4

        slug = draft.identifiers[0].value.removeprefix("https://").split(".example/")[0]
        assert draft.identifiers[0].kind is IdentifierKind.URL
        assert draft.identifiers[0].value == f"https://{slug}.example/ressources/{number}"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
        for identifier in draft.identifiers[1:]:
            assert identifier.kind is IdentifierKind.ISBN
            assert isbn_is_valid(identifier.value)
        assert f"://{slug}.example/" in (draft.thumbnail_url or "")
        assert f"://{slug}.example/" in (draft.access_url or "")

        assert 1 <= len(draft.offers) <= 3
        assert len({o.licence_type for o in draft.offers}) == len(draft.offers)
        for offer in draft.offers:
            assert (offer.seats is not None) == (offer.licence_type is LicenceType.CLASS_SEATS)
            assert (offer.duration_months is not None) == (offer.duration is Duration.MONTHS)
            assert offer.duration_months in {None, 3, 6, 12}
            if offer.seats is not None:
                assert 25 <= offer.seats <= 35


def test_prices_follow_the_licence_types(sample: list[GeneratedResource]) -> None:
    ranges = {
        LicenceType.TEACHER: (200, 6_000),
        LicenceType.CLASS_SEATS: (500, 30_000),
        LicenceType.ESTABLISHMENT: (5_000, 200_000),
    }
    free = 0
    for generated in sample:
        offers = generated.draft.offers
        if offers[0].unit_price_cents == 0:
            free += 1
            assert len(offers) == 1
            assert offers[0].licence_type is LicenceType.TEACHER
            assert offers[0].duration is Duration.PERPETUAL
            continue
        for offer in offers:
            low, high = ranges[offer.licence_type]
            assert low <= offer.unit_price_cents <= high
    assert 0.2 < free / len(sample) < 0.4


def test_languages_follow_the_discipline(
    sample: list[GeneratedResource], by_uri: dict[str, Concept]
) -> None:
    spoken = {"anglais": "eng", "allemand": "deu", "espagnol": "spa", "italien": "ita"}
    for generated in sample:
        draft = generated.draft
        language = spoken.get(by_uri[draft.disciplines[0]].label)
        assert draft.languages[0] == (language or "fre")
    assert sum(g.draft.languages == ["fre"] for g in sample) > len(sample) / 2


def test_levels_are_coherent(sample: list[GeneratedResource], by_uri: dict[str, Concept]) -> None:
    for generated in sample:
        stages = {SCHOOL_LEVELS[by_uri[uri].label] for uri in generated.draft.levels}
        assert not {"e", "l"} <= stages, generated.draft.title
        assert len(stages) == 1


def test_french_text_has_accents_elisions_and_ligatures(sample: list[GeneratedResource]) -> None:
    titles = [g.draft.title for g in sample]
    assert sum(bool(re.search(r"[éèêàâçîôûù]", t)) for t in titles) > len(titles) / 4
    assert any(re.search(r"\b[dl]'[aeiouhéœ]", t, re.IGNORECASE) for t in titles)
    assert any("œ" in t for t in titles)
    assert any("œ" in g.draft.description for g in sample)
    assert len(set(titles)) > 0.8 * len(titles)


def test_publishers_are_about_forty_distinct_names() -> None:
    assert 35 <= len(PUBLISHERS) <= 45
    assert len(set(PUBLISHERS)) == len(PUBLISHERS)
