"""The scim2-server storage of the directory: Users are people, Groups are establishments.

One storage per request, bound to the calling platform (its pseudonyms). Each operation is
one transaction on one pooled connection; a change of a person's establishment or active
state goes through ``changes.people_changed``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID, uuid4

import asyncpg
from scim2_models import (
    InvalidValueException,
    Meta,
    NotFoundException,
    NotImplementedException,
    PreconditionFailedException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    ScimProvider,
    SearchRequest,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison, LogicalExpr, LogicalOperator
from scim2_server.storage import AsyncScimStorage, SearchPage
from scim2_server.utils import parametrize

from catalogue.database import Connection
from catalogue.identity.secrets import person_of_platform_pseudonym, platform_pseudonym
from catalogue.identity.uai import uai_problem
from catalogue.provisioning import repository
from catalogue.provisioning.changes import PersonChange, PersonMoved, people_changed
from catalogue.provisioning.records import (
    PersonFields,
    ProvisionedEstablishment,
    ProvisionedPerson,
)
from catalogue.provisioning.schemas import (
    ENTERPRISE,
    ESTABLISHMENT,
    SCIM_ROLES,
)

_USERS = "User"
_GROUPS = "Group"


def _version(number: int) -> str:
    return f'W/"{number}"'


def _expected(version: str | None) -> int | None:
    if version is None:
        return None
    try:
        return int(version.removeprefix("W/").strip('"'))
    except ValueError:
        return -1  # never a stored version: the precondition fails


def _check_version(stored: int, expected_version: str | None) -> None:
    expected = _expected(expected_version)
    if expected is not None and expected != stored:
        raise PreconditionFailedException(detail="La ressource a changé depuis sa lecture.")


def _group_id(resource_id: str) -> UUID:
    try:
        return UUID(resource_id)
    except ValueError:
        raise NotFoundException(detail=f"Aucun groupe {resource_id[:40]!r}.") from None


def _equalities(search: SearchRequest[Any]) -> dict[str, str]:
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


class DirectoryStorage(AsyncScimStorage):
    def __init__(
        self,
        pool: asyncpg.Pool,
        provider: ScimProvider,
        *,
        platform_id: UUID,
        pseudonym_key: bytes,
        on_change: PersonMoved | None = None,
    ) -> None:
        self.pool = pool
        self.provider = provider
        self.platform_id = platform_id
        self.pseudonym_key = pseudonym_key
        self.on_change = on_change
        # The people this request deactivated: the app ends their sessions once committed.
        self.deactivated: list[UUID] = []

    def _person_id(self, resource_id: str) -> UUID:
        """The person a User id (their pseudonym for this platform) stands for."""
        person_id = person_of_platform_pseudonym(self.pseudonym_key, resource_id, self.platform_id)
        if person_id is None:
            raise NotFoundException(detail=f"Aucune personne {resource_id[:60]!r}.")
        return person_id

    def _scim_id(self, person_id: UUID) -> str:
        return platform_pseudonym(self.pseudonym_key, person_id, self.platform_id)

    # Reading

    async def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,  # noqa: ARG002  # the whole resource is cheap
    ) -> Resource[Any]:
        async with self.pool.acquire() as conn:
            if resource_type.name == _USERS:
                person = await repository.person(conn, self._person_id(resource_id))
                if person is None:
                    raise NotFoundException(detail=f"Aucune personne {resource_id[:40]!r}.")
                return self._user(resource_type, person)
            establishment = await repository.establishment(conn, _group_id(resource_id))
            if establishment is None:
                raise NotFoundException(detail=f"Aucun groupe {resource_id[:40]!r}.")
            return self._group(resource_type, establishment)

    async def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,  # noqa: ARG002  # no cursors: pages by index only
    ) -> SearchPage:
        if len(resource_types) != 1:
            raise NotImplementedException(detail="Chercher sur /Users ou sur /Groups.")
        resource_type = resource_types[0]
        equal = _equalities(search_request)
        async with self.pool.acquire() as conn:
            if resource_type.name == _USERS:
                people = await repository.people(
                    conn,
                    user_name=equal.get("username"),
                    external_id=equal.get("externalid"),
                    email=equal.get("emails") or equal.get("emails.value"),
                )
                found = [self._user(resource_type, p) for p in people]
            else:
                establishments = await repository.establishments(
                    conn, display_name=equal.get("displayname"), external_id=equal.get("externalid")
                )
                found = [self._group(resource_type, e) for e in establishments]
        scim_filter = search_request.filter
        if scim_filter is not None:
            if not scim_filter.models:
                model = self.provider.model_for(resource_type)
                scim_filter = parametrize(ScimFilter, model)(str(scim_filter))
            found = [r for r in found if scim_filter.match(r)]
        start = (search_request.start_index or 1) - 1
        stop = None if search_request.count is None else start + search_request.count
        return SearchPage(total=len(found), resources=found[start:stop])

    # Writing

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        if resource_type.name == _USERS:  # one statement after the checks: no transaction
            async with self.pool.acquire() as conn:
                fields = await self._person_fields(conn, _attributes(resource))
                try:
                    person = await repository.insert_person(conn, fields)
                except repository.TakenError:
                    raise UniquenessException(
                        detail="Ce userName ou cet externalId est déjà pris."
                    ) from None
            return self._user(resource_type, person)
        async with self.pool.acquire() as conn, conn.transaction():
            attributes = _attributes(resource)
            uai = _group_uai(attributes)
            group_id = uuid4()
            await self._provision(
                conn, uai, attributes, group_id=group_id, created_at=datetime.now(UTC), version=1
            )
            await self._set_members(conn, uai, attributes, before=[])
            establishment = await repository.establishment(conn, group_id)
            assert establishment is not None  # just written
            return self._group(resource_type, establishment)

    async def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        resource_id = str(resource.id)
        async with self.pool.acquire() as conn, conn.transaction():
            if resource_type.name == _USERS:
                person_id = self._person_id(resource_id)
                old = await repository.lock_person(conn, person_id)
                if old is None:
                    raise NotFoundException(detail=f"Aucune personne {resource_id[:40]!r}.")
                _check_version(old.scim_version, expected_version)
                fields = await self._person_fields(conn, _attributes(resource))
                try:
                    await repository.update_person(conn, person_id, fields)
                except repository.TakenError:
                    raise UniquenessException(
                        detail="Ce userName ou cet externalId est déjà pris."
                    ) from None
                self._note(
                    await people_changed(
                        conn,
                        old,
                        fields.establishment_uai,
                        active=fields.active,
                        on_change=self.on_change,
                    )
                )
                person = await repository.person(conn, person_id)
                assert person is not None  # locked above
                return self._user(resource_type, person)
            group_id = _group_id(resource_id)
            if await repository.lock_establishment(conn, group_id) is None:
                raise NotFoundException(detail=f"Aucun groupe {resource_id[:40]!r}.")
            stored = await repository.establishment(conn, group_id)
            assert stored is not None  # locked above
            _check_version(stored.version, expected_version)
            attributes = _attributes(resource)
            uai = _group_uai(attributes)
            if uai != stored.uai:
                # The Group now stands for another establishment: it (and the members it
                # names) moves there; the former one stays, without a Group.
                await repository.unprovision_establishment(conn, stored.uai)
                await self._provision(
                    conn,
                    uai,
                    attributes,
                    group_id=group_id,
                    created_at=stored.created_at,
                    version=stored.version + 1,
                )
                moved = await repository.establishment(conn, group_id)
                assert moved is not None  # just written
                before = moved.members
            else:
                try:
                    await repository.update_establishment(
                        conn,
                        uai,
                        str(attributes.get("displayName") or uai),
                        _text(attributes, "externalId"),
                    )
                except repository.TakenError:
                    raise UniquenessException(detail="Cet externalId est déjà pris.") from None
                before = stored.members
            await self._set_members(conn, uai, attributes, before=before)
            establishment = await repository.establishment(conn, group_id)
            assert establishment is not None  # locked above
            return self._group(resource_type, establishment)

    async def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            if resource_type.name == _USERS:
                person_id = self._person_id(resource_id)
                old = await repository.lock_person(conn, person_id)
                if old is None:
                    raise NotFoundException(detail=f"Aucune personne {resource_id[:40]!r}.")
                _check_version(old.scim_version, expected_version)
                # A deletion deactivates first (the ledger's departure), then hides the person.
                self._note(
                    await people_changed(
                        conn, old, old.establishment_uai, active=False, on_change=self.on_change
                    )
                )
                await repository.remove_person(conn, person_id)
                return
            group_id = _group_id(resource_id)
            uai = await repository.lock_establishment(conn, group_id)
            if uai is None:
                raise NotFoundException(detail=f"Aucun groupe {resource_id[:40]!r}.")
            stored = await repository.establishment(conn, group_id)
            assert stored is not None  # locked above
            _check_version(stored.version, expected_version)
            await repository.unprovision_establishment(conn, uai)

    # From rows to resources

    def _user(self, resource_type: ResourceType, person: ProvisionedPerson) -> Resource[Any]:
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
            "id": self._scim_id(person.id),
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
        return self._resource(
            resource_type, document, person.created_at, person.updated_at, person.scim_version
        )

    def _group(
        self,
        resource_type: ResourceType,
        establishment: ProvisionedEstablishment,
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
                {"value": scim_id, "$ref": f"Users/{scim_id}", "type": "User"}
                for scim_id in map(self._scim_id, establishment.members)
            ]
        return self._resource(
            resource_type,
            document,
            establishment.created_at,
            establishment.updated_at,
            establishment.version,
        )

    def _resource(
        self,
        resource_type: ResourceType,
        document: dict[str, Any],
        created: Any,
        modified: Any,
        version: int,
    ) -> Resource[Any]:
        model = cast(type[Resource[Any]], self.provider.model_for(resource_type))
        resource = model.model_validate(document)
        resource.meta = Meta(
            resource_type=resource_type.name,
            created=created,
            last_modified=modified,
            version=_version(version),
        )
        return resource

    # From resources to rows

    async def _person_fields(self, conn: Connection, attributes: dict[str, Any]) -> PersonFields:
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
        uai = _text(attributes.get(ENTERPRISE) or {}, "organization")
        if uai is not None:
            uai = uai.strip().upper()
            await self._check_establishment(conn, uai)
        name = attributes.get("name") or {}
        given, family = _text(name, "givenName"), _text(name, "familyName")
        formatted = _text(name, "formatted")
        display = _text(attributes, "displayName")
        return PersonFields(
            user_name=str(attributes["userName"]),
            external_id=_text(attributes, "externalId"),
            display_name=display or formatted or " ".join(n for n in (given, family) if n),
            given_name=given,
            family_name=family,
            name_formatted=formatted,
            email=emails[0].strip().lower() if emails else None,
            roles=roles,
            establishment_uai=uai,
            stated_active=attributes.get("active"),
        )

    @staticmethod
    async def _check_establishment(conn: Connection, uai: str) -> None:
        problem = uai_problem(uai)
        if problem is not None:
            raise InvalidValueException(detail=problem)
        state = await repository.establishment_state(conn, uai)
        if state is None:
            raise InvalidValueException(detail=f"Établissement inconnu de l'annuaire : {uai}.")
        if state == "closed":
            raise InvalidValueException(detail=f"L'établissement {uai} est fermé.")

    @staticmethod
    async def _provision(
        conn: Connection,
        uai: str,
        attributes: dict[str, Any],
        *,
        group_id: UUID,
        created_at: datetime,
        version: int,
    ) -> None:
        try:
            provisioned = await repository.provision_establishment(
                conn,
                uai,
                str(attributes.get("displayName") or uai),
                _text(attributes, "externalId"),
                group_id=group_id,
                created_at=created_at,
                version=version,
            )
        except repository.TakenError:
            raise UniquenessException(detail="Cet externalId est déjà pris.") from None
        if not provisioned:
            raise UniquenessException(detail=f"Un groupe représente déjà l'établissement {uai}.")

    async def _set_members(
        self,
        conn: Connection,
        uai: str,
        attributes: dict[str, Any],
        *,
        before: list[UUID] | None = None,
    ) -> None:
        """A Group's members are the people of the establishment: an added member moves to
        it, a removed one leaves it (no establishment), each through ``people_changed``."""
        wanted = set()
        for member in attributes.get("members") or []:
            value = str(member.get("value"))
            person_id = person_of_platform_pseudonym(self.pseudonym_key, value, self.platform_id)
            if person_id is None:
                raise InvalidValueException(detail=f"Membre inconnu : {value[:60]!r}.")
            wanted.add(person_id)
        current = set(before or [])
        for person_id in sorted(wanted - current) + sorted(current - wanted):
            old = await repository.lock_person(conn, person_id)
            if old is None:
                raise InvalidValueException(detail=f"Membre inconnu : {self._scim_id(person_id)}.")
            await people_changed(
                conn,
                old,
                uai if person_id in wanted else None,
                active=old.active,
                on_change=self.on_change,
            )

    def _note(self, change: PersonChange | None) -> None:
        if change is not None and change.deactivated:
            self.deactivated.append(change.before.id)


def _attributes(resource: Resource[Any]) -> dict[str, Any]:
    """A resource as its SCIM JSON document (attribute names as the schemas give them)."""
    document: dict[str, Any] = resource.model_dump(mode="json", by_alias=True, exclude_none=True)
    return document


def _text(attributes: dict[str, Any], key: str) -> str | None:
    value = attributes.get(key)
    return None if value is None or value == "" else str(value)


def _group_uai(attributes: dict[str, Any]) -> str:
    uai = _text(attributes.get(ESTABLISHMENT) or {}, "uai")
    if uai is None:
        raise InvalidValueException(detail="L'UAI de l'établissement est obligatoire.")
    uai = uai.strip().upper()
    problem = uai_problem(uai)
    if problem is not None:
        raise InvalidValueException(detail=problem)
    return uai
