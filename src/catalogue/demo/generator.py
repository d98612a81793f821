"""Deterministic generator of realistic French offerings, built from the ScoLOMFR vocabularies.

It feeds the demo (a few thousand resources) and the benchmarks (100,000 or 1,000,000).
Everything that depends on the vocabulary is resolved once, in ``compile_tables``; producing
an item then only draws from precomputed tuples, so ``generate`` streams at constant memory.
The tables themselves (publishers, levels, products, families and their topics, sentences)
are TOML files in ``data/``.

Disciplines: each resource has one main discipline, taken from a curated list of broad
voc-015 concepts found by label (``data/families.toml``), sometimes plus one narrower concept
of it whose cycle or level matches the resource's levels. Levels: a school stage (école, collège,
lycée) is chosen first, then one to three consecutive levels within it, so a CP resource
never says "terminale".

ScoLOMFR 3.2.0 predates the 2019 lycée reform: it has no concept for "numérique et sciences
informatiques" nor for "sciences numériques et technologie". Those two families are tagged
with the closest concepts it has ("informatique et sciences du numérique (enseignement de
spécialité)" and "informatique"), while titles use the current names.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import msgspec

from catalogue.demo.compiled import Compiled, CompiledFamily, Product, Window, compile_tables, pick
from catalogue.demo.tables import PUBLISHERS, SENTENCES, Family, Topic
from catalogue.resources.models import (
    Duration,
    Identifier,
    IdentifierKind,
    LicenceType,
    OfferDraft,
    ResourceDraft,
    Status,
)
from catalogue.vocabularies.extra import ACCESSIBILITY, LANGUAGES
from catalogue.vocabularies.languages import normalise_language
from catalogue.vocabularies.skos import Concept

__all__ = ["PUBLISHERS", "GeneratedResource", "generate"]

DASH = "\u2013"  # the en dash French titles use between a title and its level
_ACCESSIBILITY = tuple(ACCESSIBILITY)


class GeneratedResource(msgspec.Struct):
    publisher: str
    """The publisher's display name."""
    draft: ResourceDraft
    """A published resource with one to three offers."""


def _isbn(prefix: str, number: int) -> str:
    """978-2-ppp-nnnnn-c: a valid ISBN-13 of the French-speaking group."""
    digits = f"{prefix}{number % 100_000:05d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    check = (10 - total % 10) % 10
    return f"{digits[:3]}-{digits[3]}-{digits[4:7]}-{digits[7:]}-{check}"


def _title(
    rng: random.Random, family: CompiledFamily, window: Window, topic: Topic
) -> tuple[str, Product]:
    draw = rng.random()
    if draw < 0.07 and family.signatures:
        title, product = rng.choice(family.signatures)
        return (f"{title} {DASH} {window.short}" if draw < 0.04 else title), product
    if draw < 0.14 and window.exam:
        product = rng.choice(window.exam_products)
        if draw < 0.11:
            return f"Objectif {window.exam} : {topic.text}", product
        return f"Réussir le {window.exam} {family.spec.de}", product
    product = rng.choice(window.products)
    template = SENTENCES.titles[rng.randrange(len(SENTENCES.titles))]
    title = template.format(
        noun=product.noun,
        noun_low=product.low,
        de=family.spec.de,
        discipline=family.spec.short,
        short=window.short,
        en=window.en,
        topic=topic.text,
        Topic=topic.cap,
        de_topic=topic.de,
        dash=DASH,
        n=5 + rng.randrange(26),
    )
    return title, product


def _description(
    rng: random.Random,
    family: CompiledFamily,
    window: Window,
    topic: Topic,
    extras: tuple[str, str, str],
) -> str:
    """Two to four sentences: an opening, one or two details, accessibility and language."""
    product, publisher, accessibility = extras
    spec, text = family.spec, topic.text
    opening = rng.randrange(5)
    if opening == 0:
        first = (
            f"Cette ressource {spec.de} accompagne les élèves {window.de} dans l'étude {topic.de}."
        )
    elif opening == 1:
        first = (
            f"Conçue pour les élèves {window.de}, cette ressource {spec.de} aborde {text} "
            "de manière progressive."
        )
    elif opening == 2:
        first = f"Un parcours {spec.de} pour travailler {text} {window.en}."
    elif opening == 3:
        first = (
            f"Pour enseigner {text} {window.en}, {publisher} propose des activités clés en main."
        )
    else:
        first = f"{product} pour découvrir {text} et s'entraîner {window.en}."
    sentences = [first]
    tail = []
    if accessibility:
        tail.append(f"Accessibilité : {accessibility}.")
    if spec.language and rng.random() < 0.6:
        tail.append(
            f"Les consignes sont données en {_language_name(spec.language)}, "
            "avec une aide en français."
        )
    count = min(1 + (rng.random() < 0.5), 3 - len(tail))
    first_detail = rng.randrange(len(SENTENCES.middle))
    details = [first_detail]
    if count == 2:
        details.append(
            (first_detail + 1 + rng.randrange(len(SENTENCES.middle) - 1)) % len(SENTENCES.middle)
        )
    for index in details:
        sentence = SENTENCES.middle[index]
        if not sentence:
            others = [t.text for t in rng.sample(window.topics, 4) if t is not topic][:3]
            sentence = f"Les notions abordées incluent {others[0]}, {others[1]} et {others[2]}."
        sentences.append(sentence)
    sentences.extend(tail)
    return " ".join(sentences)


def _offers(rng: random.Random) -> list[OfferDraft]:
    count = 1 + rng.randrange(3)
    licences = sorted(rng.sample(range(3), count))
    offers = []
    for licence in licences:
        seats = None
        if licence == 0:
            kind, price = LicenceType.TEACHER, _price(rng, 200, 6_000)
        elif licence == 1:
            kind, price = LicenceType.CLASS_SEATS, _price(rng, 500, 30_000)
            seats = 25 + rng.randrange(11)
        else:
            kind, price = LicenceType.ESTABLISHMENT, _price(rng, 5_000, 200_000)
        draw = rng.random()
        months = None
        if draw < 0.6:
            duration = Duration.SCHOOL_YEAR
        elif draw < 0.85:
            duration, months = Duration.MONTHS, rng.choice((3, 6, 12))
        else:
            duration = Duration.PERPETUAL
        offers.append(
            OfferDraft(
                licence_type=kind,
                unit_price_cents=price,
                duration=duration,
                duration_months=months,
                seats=seats,
            )
        )
    return offers


def _price(rng: random.Random, low: int, high: int) -> int:
    """Whole euros, often ending in ,90: 4,90 EUR, 29 EUR, 1 490 EUR."""
    cents = rng.randrange(low // 100, high // 100 + 1) * 100
    if rng.random() < 0.6 and cents - 10 >= low:
        cents -= 10
    return cents


def _keywords(
    rng: random.Random, family: Family, topic: Topic, product: Product, window: Window
) -> list[str]:
    keywords = [family.keyword]
    if topic.keyword != family.keyword:
        keywords.append(topic.keyword)
    extras = [product.keyword, window.keyword, rng.choice(SENTENCES.generic_keywords)]
    shift = rng.randrange(3)
    wanted = 2 + rng.randrange(4)
    for keyword in extras[shift:] + extras[:shift]:
        if len(keywords) >= wanted:
            break
        if keyword not in keywords:
            keywords.append(keyword)
    return [k.lower() for k in keywords]


def _resource(
    rng: random.Random, number: int, compiled: Compiled, isbn_counts: list[int]
) -> GeneratedResource:
    publisher_index = pick(rng, compiled.publisher_weights)
    publisher = compiled.publishers[publisher_index]
    family = compiled.families[pick(rng, compiled.family_weights)]
    spec = family.spec
    window = family.windows[pick(rng, family.window_weights)]
    topic = rng.choice(window.topics)
    title, product = _title(rng, family, window, topic)

    disciplines = [family.uri]
    if window.narrower and rng.random() < 0.4:
        disciplines.append(rng.choice(window.narrower))
    resource_types = [product.resource_types[0]]
    if len(product.resource_types) > 1 and rng.random() < 0.4:
        resource_types.append(product.resource_types[1])
    pedagogical_types = [product.pedagogical_types[0]]
    if len(product.pedagogical_types) > 1 and rng.random() < 0.5:
        pedagogical_types.append(product.pedagogical_types[1])

    accessibility: list[str] = []
    if rng.random() < 0.45:
        chosen = rng.sample(range(len(_ACCESSIBILITY)), 1 + rng.randrange(3))
        accessibility = [_ACCESSIBILITY[i] for i in sorted(chosen)]
    described = ", ".join(ACCESSIBILITY[a] for a in accessibility)

    if spec.language:
        languages = [spec.language, "fre"] if rng.random() < 0.25 else [spec.language]
    else:
        languages = ["fre"]

    base = f"https://{publisher.slug}.example"
    identifiers = [Identifier(kind=IdentifierKind.URL, value=f"{base}/ressources/{number}")]
    if rng.random() < 0.3:
        isbn_counts[publisher_index] += 1
        isbn = _isbn(publisher.isbn_prefix, isbn_counts[publisher_index])
        identifiers.append(Identifier(kind=IdentifierKind.ISBN, value=isbn))

    if rng.random() < 0.3:
        offers = [
            OfferDraft(
                licence_type=LicenceType.TEACHER, unit_price_cents=0, duration=Duration.PERPETUAL
            )
        ]
        rights = rng.choice(SENTENCES.free_rights) if rng.random() < 0.5 else f"© {publisher.name}"
    else:
        offers = _offers(rng)
        rights = f"© {publisher.name}, tous droits réservés"

    draft = ResourceDraft(
        title=title,
        description=_description(
            rng, family, window, topic, (product.noun, publisher.name, described)
        ),
        keywords=_keywords(rng, spec, topic, product, window),
        languages=languages,
        resource_types=resource_types,
        pedagogical_types=pedagogical_types,
        levels=list(window.uris),
        disciplines=disciplines,
        accessibility=accessibility,
        formats=list(product.formats),
        rights=rights,
        thumbnail_url=f"{base}/vignettes/{number}.jpg",
        access_url=f"{base}/ressources/{number}/ouvrir",
        identifiers=identifiers,
        offers=offers,
        status=Status.PUBLISHED,
    )
    return GeneratedResource(publisher=publisher.name, draft=draft)


def generate(
    count: int, concepts: Sequence[Concept], *, seed: int = 2026
) -> Iterator[GeneratedResource]:
    """``count`` published resources, the same ones for the same seed and concepts.

    ``concepts`` are the ScoLOMFR concepts as ``load_folder`` returns them (with their
    ancestors). The vocabulary is checked and indexed here, at the call; the resources are
    then produced one at a time. Resource numbers, in identifiers and URLs, run from 1 to
    ``count``.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    return _stream(count, compile_tables(concepts), seed)


def _stream(count: int, compiled: Compiled, seed: int) -> Iterator[GeneratedResource]:
    rng = random.Random(seed)  # noqa: S311  # reproducible demo data, not secrets
    isbn_counts = [0] * len(compiled.publishers)
    for number in range(1, count + 1):
        yield _resource(rng, number, compiled, isbn_counts)


def _language_name(code: str) -> str:
    """The French name of a language code in any form ("deu" is stored as "ger")."""
    found = normalise_language(code)
    return LANGUAGES[found.code if found else code]
