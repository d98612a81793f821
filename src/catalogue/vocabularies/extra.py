"""Small vocabularies of our own, beside ScoLOMFR: languages and accessibility features."""

from __future__ import annotations

from catalogue.vocabularies.skos import Concept

LANGUAGE_SCHEME = "langue"
ACCESSIBILITY_SCHEME = "accessibilite"

# ISO 639-2/B codes, as ScoLOMFR records them (http://id.loc.gov/vocabulary/iso639-2/fre);
# ISO 639-3 for the languages ISO 639-2 lacks (rcf). See languages.py.
LANGUAGES = {
    "fre": "français",
    "eng": "anglais",
    "ger": "allemand",
    "spa": "espagnol",
    "ita": "italien",
    "por": "portugais",
    "ara": "arabe",
    "chi": "chinois",
    "rus": "russe",
    "heb": "hébreu",
    "jpn": "japonais",
    "dut": "néerlandais",
    "lat": "latin",
    "grc": "grec ancien",
    "oci": "occitan",
    "bre": "breton",
    "cos": "corse",
    "baq": "basque",
    "cat": "catalan",
    "gsw": "alsacien",
    "rcf": "créole réunionnais",
    "mul": "plusieurs langues",
    "zxx": "sans contenu linguistique",
}

ACCESSIBILITY = {
    "captions": "sous-titres",
    "audio_description": "audiodescription",
    "transcript": "transcription textuelle",
    "screen_reader": "compatible avec les lecteurs d'écran",
    "keyboard": "utilisable au clavier",
    "dys": "adapté aux troubles dys",
    "high_contrast": "contraste renforcé",
    "sign_language": "langue des signes française",
}


def _flat(scheme: str, labels: dict[str, str]) -> list[Concept]:
    return [
        Concept(
            uri=code,
            scheme=scheme,
            label=label,
            alt_labels=[],
            broader=[],
            related=[],
            narrower=[],
            deprecated=False,
            ancestors=[code],
        )
        for code, label in labels.items()
    ]


def extra_concepts() -> list[Concept]:
    return _flat(LANGUAGE_SCHEME, LANGUAGES) + _flat(ACCESSIBILITY_SCHEME, ACCESSIBILITY)
