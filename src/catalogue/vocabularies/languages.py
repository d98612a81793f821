"""Language codes as publishers send them, brought to the one code the catalogue stores.

The catalogue stores ISO 639-2/B codes, as ScoLOMFR writes them
(``http://id.loc.gov/vocabulary/iso639-2/fre``): ``fre``, ``eng``, ``ger``. Publishers also
send ISO 639-1 (``fr``), ISO 639-2/T (``fra``), ISO 639-3 and BCP 47 tags (``fr-FR``), or the
Library of Congress URIs; `langcodes` (the IANA registry) knows them all. A language without
an ISO 639-2 code keeps its ISO 639-3 one (``rcf``, créole réunionnais).
"""

from __future__ import annotations

import functools
import re

import langcodes
import msgspec

# The Library of Congress language URIs (ISO 639-1, 639-2, 639-5 and MARC languages).
_URI = re.compile(
    r"^https?://id\.loc\.gov/vocabulary/(?:iso639-[125]|languages)/([A-Za-z]{2,3})$",
    re.IGNORECASE,
)
# A BCP 47 tag, or a code with "_" as some systems write it (fr_FR).
_TAG = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$")
MAX_TAG = 35  # the longest BCP 47 tag worth keeping (RFC 5646 section 4.4.1)
# What the publisher API accepts (JSON Schema `pattern`): a tag, a code or a LoC URI.
PATTERN = (
    r"^(?:[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*"
    r"|https?://id\.loc\.gov/vocabulary/(?:iso639-[125]|languages)/[A-Za-z]{2,3})$"
)


class LanguageCode(msgspec.Struct, frozen=True):
    """``code`` is what the catalogue stores; ``known`` says whether the registry knows it."""

    code: str
    known: bool


@functools.lru_cache(maxsize=4096)
def normalise_language(raw: str) -> LanguageCode | None:
    """The stored code of a language given in any of those forms; None when ``raw`` is not a
    language code at all (a label, a sentence). An unknown code is kept, lower-cased."""
    value = raw.strip()
    if match := _URI.match(value):
        value = match[1]
    if not value or len(value) > MAX_TAG or not _TAG.match(value):
        return None
    tag = value.replace("_", "-").lower()
    if len(tag.partition("-")[0]) > 3:  # no language subtag is longer: a word ("allemand")
        return None
    try:
        language = langcodes.Language.get(tag)
        if language.language is None or language.language == "und":
            return LanguageCode(tag, known=False)
        if not langcodes.tag_is_valid(language.language):
            return LanguageCode(tag, known=False)
        return LanguageCode(language.to_alpha3(variant="B"), known=True)
    except (ValueError, LookupError):  # langcodes' LanguageTagError is a ValueError
        return LanguageCode(tag, known=False)
