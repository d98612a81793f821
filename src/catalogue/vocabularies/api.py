"""GET /api/v1/vocabularies/{scheme}: concepts with labels and hierarchy, to build filters."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.params import FromPath

from catalogue.errors import NotFoundError
from catalogue.identity.guards import OPEN, anyone
from catalogue.vocabularies.index import Vocabulary


class ConceptView(msgspec.Struct, kw_only=True):
    uri: str
    label: str
    alt_labels: list[str]
    broader: list[str]
    replaced_by: str | None
    deprecated: bool


class VocabularyView(msgspec.Struct, kw_only=True):
    scheme: str
    concepts: list[ConceptView]


@get(
    "/api/v1/vocabularies/{scheme:str}",
    guards=[anyone],
    opt={OPEN: True},
    tags=["catalogue"],
    summary="Un vocabulaire : ScoLOMFR (« 022 » ou « scolomfr-voc-022 »), langue, accessibilite",
)
async def vocabulary(vocab: Vocabulary, scheme: FromPath[str]) -> VocabularyView:
    concepts = vocab.scheme(scheme)
    if concepts is None:
        raise NotFoundError(f"Vocabulaire inconnu ; connus : {', '.join(vocab.schemes())}.")
    return VocabularyView(
        scheme=concepts[0].scheme,
        concepts=[
            ConceptView(
                uri=c.uri,
                label=c.label,
                alt_labels=c.alt_labels,
                broader=c.broader,
                replaced_by=c.replaced_by,
                deprecated=c.deprecated,
            )
            for c in sorted(concepts, key=lambda c: c.label)
        ],
    )
