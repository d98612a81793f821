"""Reading LOM trees by local name: the namespace may be prefixed, default, in lower case or
absent, and text may come with or without ``<string>``."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from catalogue.vocabularies.languages import normalise_language

# Local names by tag. Reading a notice looks up some sixty names: the hot loops below read
# this dict inline (`names.get(tag) or local_name(element)`) to spare a call each time, and go
# over children with `element[:]`, a plain list, which costs a fifth of lxml's iterator.
_LOCAL_NAMES: dict[object, str] = {}


def local_name(element: etree._Element) -> str:
    tag = element.tag  # "{namespace}local" or "local"; comments and PIs have no str tag
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rpartition("}")[2] if isinstance(tag, str) else ""
        if len(_LOCAL_NAMES) < 4096:  # a hostile document must not grow it without end
            _LOCAL_NAMES[tag] = name
    return name


def line_of(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def children(element: etree._Element, name: str) -> list[etree._Element]:
    # Faster here than lxml's own "{*}name" filter, which prepares a matcher at each call.
    names = _LOCAL_NAMES
    return [child for child in element[:] if (names.get(child.tag) or local_name(child)) == name]


def group(*elements: etree._Element) -> dict[str, list[etree._Element]]:
    """The children of these elements by local name, read once (sections have many)."""
    groups: dict[str, list[etree._Element]] = {}
    names = _LOCAL_NAMES
    for element in elements:
        for child in element[:]:
            name = names.get(child.tag) or local_name(child)
            if name in groups:
                groups[name].append(child)
            else:
                groups[name] = [child]
    return groups


def by_path(element: etree._Element, *names: str) -> list[etree._Element]:
    found = [element]
    for name in names:
        found = [child for parent in found for child in children(parent, name)]
    return found


def text_of(element: etree._Element) -> str:
    """A LangString's text (the French one first), or the element's own text, trimmed."""
    count = len(element)
    if count:
        names = _LOCAL_NAMES
        chosen = None
        if count == 1:  # the usual LangString: one <string>, whatever its language
            only = element[0]
            if (names.get(only.tag) or local_name(only)) == "string":
                chosen = only
        else:
            for string in element[:]:
                if (names.get(string.tag) or local_name(string)) != "string":
                    continue
                if is_french(string.get("language")):
                    chosen = string
                    break
                if chosen is None:
                    chosen = string
        if chosen is not None:
            element = chosen
        if len(element):
            return " ".join("".join(element.itertext()).split())
    text = element.text
    return " ".join(text.split()) if text else ""


def texts(elements: list[etree._Element]) -> list[str]:
    return [text for element in elements if (text := text_of(element))]


def first_text(elements: Iterable[etree._Element]) -> str:
    for element in elements:
        if text := text_of(element):
            return text
    return ""


def child_text(element: etree._Element, name: str) -> str:
    """The first non-empty text among the children of that local name."""
    names = _LOCAL_NAMES
    for child in element[:]:
        if (names.get(child.tag) or local_name(child)) == name and (text := text_of(child)):
            return text
    return ""


def is_french(language: str | None) -> bool:
    found = normalise_language(language) if language else None
    return found is not None and found.code == "fre"
