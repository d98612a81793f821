"""The generator's tables, read once from the TOML files in ``data/``.

The files hold what a person edits (publishers, levels, products, discipline families and
their topics, sentences); this module gives them their types and derives what is computed
from them (a topic's capitalised and "de ..." forms, a level's cycle keys).
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import Any

import msgspec

_VOWELS = frozenset("aeiouyhàâéèêëîïôûùœAEIOUYHÀÂÉÈÊËÎÏÔÛÙŒ")


class Level(msgspec.Struct, frozen=True):
    key: str  # short form, as in "Maths 5e" or "SVT 1re-Tle"
    label: str  # voc-022 prefLabel
    name: str  # as written in a sentence: "en seconde"
    stage: str  # "e" école, "c" collège, "l" lycée
    cycle: int  # 2, 3, 4 for école and collège; 0 for lycée


class ProductSpec(msgspec.Struct, frozen=True):
    noun: str  # as in a title: "Exercices interactifs"
    keyword: str
    resource_types: tuple[str, ...]  # voc-005 labels, the first is always used
    pedagogical_types: tuple[str, ...]  # voc-010 labels, the first is always used
    formats: tuple[str, ...]


class Topic(msgspec.Struct, frozen=True):
    text: str  # with its article, as in a sentence: "l'algèbre", "les volcans"
    stages: str  # where it is taught: "e", "c", "l" letters
    keyword: str
    cap: str  # capitalised, to open a title
    de: str  # after "de": "de l'algèbre", "des volcans", "du théorème de Pythagore"


class Family(msgspec.Struct, frozen=True):
    name: str
    short: str  # as in "SVT 5e : la digestion"
    de: str  # "de mathématiques", "d'histoire": the elision is written out
    keyword: str
    labels: tuple[str, ...]  # voc-015 labels of the main concept, by preference
    levels: str  # level keys, space separated
    weight: float
    topics: tuple[Topic, ...]
    tree: str | None = None  # voc-015 label whose descendants give narrower concepts
    tree_match: str | None = None  # regex those descendants' labels must match
    lycee: tuple[tuple[str, str], ...] = ()  # (voc-015 label, level keys) for lycée resources
    language: str | None = None  # ISO 639-2/B code of a language family
    products: tuple[str, ...] = ()  # nouns of the special products
    signatures: tuple[tuple[str, str], ...] = ()  # (title, product noun)


class Sentences(msgspec.Struct, frozen=True):
    middle: tuple[str, ...]  # details of a description; "" is the list of other topics
    titles: tuple[str, ...]  # title templates
    generic_keywords: tuple[str, ...]
    free_rights: tuple[str, ...]


class Products(msgspec.Struct, frozen=True):
    general: tuple[ProductSpec, ...]
    exam: tuple[ProductSpec, ...]
    special: tuple[ProductSpec, ...]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def low(text: str) -> str:
    return text[:1].lower() + text[1:]


def de(text: str) -> str:
    """ "de" before a topic, contracted or elided: du, des, de la, de l', d'."""
    if text.startswith("le "):
        return f"du {text[3:]}"
    if text.startswith("les "):
        return f"des {text[4:]}"
    if text[:1] in _VOWELS:
        return f"d'{text}"
    return f"de {text}"


def topic(row: list[str]) -> Topic:
    """``[stages, topic with its article, keyword]``; the keyword defaults to the topic
    without its article."""
    stages, text, *keyword = row
    word = keyword[0] if keyword else re.sub(r"^(le |la |les |l')", "", text).lower()
    return Topic(text, stages, word, cap(text), de(text))


def _read(name: str) -> dict[str, Any]:
    text = (
        resources.files("catalogue.demo")
        .joinpath("data")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


def _families(raw: list[dict[str, Any]]) -> tuple[Family, ...]:
    return tuple(
        msgspec.convert({**row, "topics": [topic(t) for t in row["topics"]]}, Family) for row in raw
    )


PUBLISHERS: tuple[str, ...] = tuple(_read("publishers.toml")["publishers"])
LEVELS = msgspec.convert(_read("levels.toml")["levels"], tuple[Level, ...])
PRODUCTS = msgspec.convert(_read("products.toml"), Products)
FAMILIES = _families(_read("families.toml")["families"])
SENTENCES = msgspec.convert(_read("sentences.toml"), Sentences)
