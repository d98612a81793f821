"""Between rows and SCIM resources: a person or an establishment as a User or a Group (with
its ``meta`` and version), and a written resource's attributes as the fields we keep.

Pure functions: no database. What needs one (the establishment a UAI names exists and is
open) is the storage's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from scim2_models import (
    InvalidValueException,
    Meta,
    NotFoundException,
    PreconditionFailedException,
    Resource,
    ResourceType,
    ScimProvider,
    SearchRequest,
)
from scim2_models.path import CompareOperator, Comparison, LogicalExpr, LogicalOperator

from catalogue.identity.uai import uai_problem
from catalogue.provisioning.records import (
    PersonFields,
    ProvisionedEstablishment,
    ProvisionedPerson,
)
from catalogue.provisioning.schemas import ENTERPRISE, ESTABLISHMENT, SCIM_ROLES


def version(number: int) -> str:
    return f'W/"{number}"'


def _expected(version: str | None) -> int | None:
    if version is None:
        return None
    try:
        return int(version.removeprefix("W/").strip('"'))
    except ValueError:
        return -1  # never a stored version: the precondition fails


def check_version(stored: int, expected_version: str | None) -> None:
    expected = _expected(expected_version)
    if expected is not None and expected != stored:
        raise PreconditionFailedException(detail="La ressource a changé depuis sa lecture.")


def group_id(resource_id: str) -> UUID:
    try:
        return UUID(resource_id)
    except ValueError:
        raise NotFoundException(detail=f"Aucun groupe {resource_id[:40]!r}.") from None


def equalities(search: SearchRequest[Any]) -> dict[str, str]:
    """The `attribute eq "value"` terms of a filter made of them alone (joined by `and`),
    by lower-cased attribute path: what SQL narrows the rows by before the filter runs."""
    scim_filter = search.filter
    if scim_filter is None:
        return {}
    node = scim_filter.ast
    terms = node.terms if isinstance(node, LogicalExpr) else (node,)
    if isinstance(node, LogicalExpr) and node.op != LogicalOperator.and_:
        return {}
    found: dict[str, str] = {}
    for term in terms:
        if (
            isinstance(term, Comparison)
            and term.op == CompareOperator.eq
            and isinstance(term.value, str)
            and term.attr_path.uri is None
        ):
            found[str(term.attr_path).lower()] = term.value
    return found


# From rows to resources


def user(
    provider: ScimProvider,
    resource_type: ResourceType,
    person: ProvisionedPerson,
    scim_id: Callable[[UUID], str],
) -> Resource[Any]:
    name = {
        key: value
        for key, value in (
            ("formatted", person.name_formatted),
            ("familyName", person.family_name),
            ("givenName", person.given_name),
        )
        if value is not None
    }
    document: dict[str, Any] = {
        "schemas": [str(resource_type.schema_), ENTERPRISE],
        "id": scim_id(person.id),
        "userName": person.user_name,
    }
    if person.external_id is not None:
        document["externalId"] = person.external_id
    if person.shown_active is not None:
        document["active"] = person.shown_active
    if name:
        document["name"] = name
    if person.display_name:
        document["displayName"] = person.display_name
    if person.email:
        document["emails"] = [{"value": person.email}]
    roles = [r for r in person.roles if r in SCIM_ROLES]
    if roles:
        document["roles"] = [{"value": r} for r in roles]
    if person.establishment_uai:
        document[ENTERPRISE] = {"organization": person.establishment_uai}
    else:
        document["schemas"].remove(ENTERPRISE)
    return _resource(
        provider,
        resource_type,
        document,
        created=person.created_at,
        modified=person.updated_at,
        number=person.scim_version,
    )


def group(
    provider: ScimProvider,
    resource_type: ResourceType,
    establishment: ProvisionedEstablishment,
    scim_id: Callable[[UUID], str],
) -> Resource[Any]:
    document: dict[str, Any] = {
        "schemas": [str(resource_type.schema_), ESTABLISHMENT],
        "id": str(establishment.id),
        "displayName": establishment.display_name,
        ESTABLISHMENT: {"uai": establishment.uai},
    }
    if establishment.external_id is not None:
        document["externalId"] = establishment.external_id
    if establishment.members:
        document["members"] = [
            {"value": member, "$ref": f"Users/{member}", "type": "User"}
            for member in map(scim_id, establishment.members)
        ]
    return _resource(
        provider,
        resource_type,
        document,
        created=establishment.created_at,
        modified=establishment.updated_at,
        number=establishment.version,
    )


def _resource(
    provider: ScimProvider,
    resource_type: ResourceType,
    document: dict[str, Any],
    *,
    created: datetime,
    modified: datetime,
    number: int,
) -> Resource[Any]:
    model = cast(type[Resource[Any]], provider.model_for(resource_type))
    resource = model.model_validate(document)
    resource.meta = Meta(
        resource_type=resource_type.name,
        created=created,
        last_modified=modified,
        version=version(number),
    )
    return resource


# From resources to rows


def attributes(resource: Resource[Any]) -> dict[str, Any]:
    """A resource as its SCIM JSON document (attribute names as the schemas give them)."""
    document: dict[str, Any] = resource.model_dump(mode="json", by_alias=True, exclude_none=True)
    return document


def text(attributes: dict[str, Any], key: str) -> str | None:
    value = attributes.get(key)
    return None if value is None or value == "" else str(value)


def checked_uai(uai: str) -> str:
    """A UAI as stored (upper case), refused when its check letter is wrong."""
    uai = uai.strip().upper()
    problem = uai_problem(uai)
    if problem is not None:
        raise InvalidValueException(detail=problem)
    return uai


def group_uai(attributes: dict[str, Any]) -> str:
    uai = text(attributes.get(ESTABLISHMENT) or {}, "uai")
    if uai is None:
        raise InvalidValueException(detail="L'UAI de l'établissement est obligatoire.")
    return checked_uai(uai)


def person_fields(attributes: dict[str, Any]) -> PersonFields:
    """What a User write sets; its UAI checked by its letter only (the storage checks that
    the directory knows the establishment and has not closed it)."""
    emails = [e.get("value") for e in attributes.get("emails") or [] if e.get("value")]
    if len(emails) > 1:
        raise InvalidValueException(
            detail="Une seule adresse électronique par personne (pour les notifications)."
        )
    roles = sorted({str(r.get("value")) for r in attributes.get("roles") or []})
    unknown = [r for r in roles if r not in SCIM_ROLES]
    if unknown:
        raise InvalidValueException(
            detail=f"Rôle inconnu {unknown[0][:40]!r} : {' ou '.join(SCIM_ROLES)}."
        )
    uai = text(attributes.get(ENTERPRISE) or {}, "organization")
    name = attributes.get("name") or {}
    given, family = text(name, "givenName"), text(name, "familyName")
    formatted = text(name, "formatted")
    display = text(attributes, "displayName")
    return PersonFields(
        user_name=str(attributes["userName"]),
        external_id=text(attributes, "externalId"),
        display_name=display or formatted or " ".join(n for n in (given, family) if n),
        given_name=given,
        family_name=family,
        name_formatted=formatted,
        email=emails[0].strip().lower() if emails else None,
        roles=roles,
        establishment_uai=None if uai is None else checked_uai(uai),
        stated_active=attributes.get("active"),
    )
