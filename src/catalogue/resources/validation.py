"""One validation for every resource, whoever built it: the API decodes into ResourceDraft
(msgspec checks it there), connectors build drafts in code, where nothing checks them.

Connector output goes through ``validate``: text over its limit is truncated, a URL or an
identifier over its limit is dropped (cut short, it would point elsewhere), each with a
warning; anything else the API would refuse refuses the record.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import inspect

from catalogue.errors import UnprocessableError
from catalogue.resources.models import ResourceDraft

_DRAFT = inspect.type_info(ResourceDraft)
_DROP = object()
# Values that name something: cut short, they would name something else.
_IDENTIFYING = ("identifiers",)


def validate(draft: ResourceDraft) -> tuple[ResourceDraft, list[str]]:
    """The draft as the API would accept it, and what was changed to get there."""
    warnings: list[str] = []
    fitted = _fit(msgspec.to_builtins(draft), _DRAFT, "", warnings)
    try:
        return msgspec.convert(fitted, ResourceDraft), warnings
    except msgspec.ValidationError as exc:
        raise UnprocessableError(f"Ressource refusée : {exc}") from None


def _fit(value: Any, kind: inspect.Type, path: str, warnings: list[str]) -> Any:
    """The value within the limits of its type; _DROP when it cannot be kept."""
    if isinstance(kind, inspect.UnionType):
        if value is None:
            return None
        kind = next(t for t in kind.types if not isinstance(t, inspect.NoneType))
    if isinstance(kind, inspect.StrType) and isinstance(value, str):
        return _fit_text(value, kind, path, warnings)
    if isinstance(kind, inspect.ListType) and isinstance(value, list):
        kept = [
            _fit(item, kind.item_type, f"{path}[{n}]", warnings) for n, item in enumerate(value)
        ]
        return [item for item in kept if item is not _DROP]
    if isinstance(kind, inspect.StructType) and isinstance(value, dict):
        return _fit_struct(value, kind, path, warnings)
    return value


def _fit_text(value: str, kind: inspect.StrType, path: str, warnings: list[str]) -> Any:
    limit = kind.max_length
    if limit is None or len(value) <= limit:
        return value
    if kind.pattern is not None or path.startswith(_IDENTIFYING):
        warnings.append(
            f"{path} : {len(value)} caractères, au-delà de la limite de {limit} : retiré"
        )
        return _DROP
    warnings.append(f"{path} : {len(value)} caractères, coupé à ses {limit} premiers")
    return value[:limit]


def _fit_struct(
    value: dict[str, Any], kind: inspect.StructType, path: str, warnings: list[str]
) -> Any:
    fitted = dict(value)  # unknown keys stay, for msgspec to refuse them
    for field in kind.fields:
        if field.encode_name not in value:
            continue
        name = f"{path}.{field.name}" if path else field.name
        kept = _fit(value[field.encode_name], field.type, name, warnings)
        if kept is _DROP:
            if field.required:
                return _DROP
            kept = None if field.default is msgspec.NODEFAULT else field.default
        fitted[field.encode_name] = kept
    return fitted
