"""The scim2-server storage of the directory: Users are people, Groups are establishments.

One storage per request, bound to the calling platform (its pseudonyms). Each operation is
one transaction on one pooled connection; a change of a person's establishment or active
state goes through ``changes.people_changed``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from scim2_models import (
    InvalidValueException,
    NotFoundException,
    NotImplementedException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    ScimProvider,
    SearchRequest,
    UniquenessException,
)
from scim2_server.storage import AsyncScimStorage, SearchPage
from scim2_server.utils import parametrize

from catalogue.database import Connection
from catalogue.identity.secrets import person_of_platform_pseudonym, platform_pseudonym
from catalogue.provisioning import documents, repository
from catalogue.provisioning.changes import PersonChange, PersonMoved, people_changed
from catalogue.provisioning.records import (
    ProvisionedEstablishment,
    ProvisionedPerson,
)

_USERS = "User"
_GROUPS = "Group"


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
            establishment = await repository.establishment(conn, documents.group_id(resource_id))
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
        equal = documents.equalities(search_request)
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
        if resource_type.name == _USERS:  # one statement, which checks the establishment
            fields = documents.person_fields(documents.attributes(resource))
            async with self.pool.acquire() as conn:
                try:
                    person = await repository.insert_person(conn, fields)
                except repository.TakenError:
                    raise UniquenessException(
                        detail="Ce userName ou cet externalId est déjà pris."
                    ) from None
                if person is None:  # the establishment is unknown or closed: say which
                    assert fields.establishment_uai is not None  # none: always inserted
                    await self._check_establishment(conn, fields.establishment_uai)
                    raise InvalidValueException(
                        detail=f"Établissement indisponible : {fields.establishment_uai}."
                    )
            return self._user(resource_type, person)
        async with self.pool.acquire() as conn, conn.transaction():
            attributes = documents.attributes(resource)
            uai = documents.group_uai(attributes)
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
                documents.check_version(old.scim_version, expected_version)
                fields = documents.person_fields(documents.attributes(resource))
                if fields.establishment_uai is not None:
                    await self._check_establishment(conn, fields.establishment_uai)
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
            group_id = documents.group_id(resource_id)
            if await repository.lock_establishment(conn, group_id) is None:
                raise NotFoundException(detail=f"Aucun groupe {resource_id[:40]!r}.")
            stored = await repository.establishment(conn, group_id)
            assert stored is not None  # locked above
            documents.check_version(stored.version, expected_version)
            attributes = documents.attributes(resource)
            uai = documents.group_uai(attributes)
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
                        documents.text(attributes, "externalId"),
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
                documents.check_version(old.scim_version, expected_version)
                # A deletion deactivates first (the ledger's departure), then hides the person.
                self._note(
                    await people_changed(
                        conn, old, old.establishment_uai, active=False, on_change=self.on_change
                    )
                )
                await repository.remove_person(conn, person_id)
                return
            group_id = documents.group_id(resource_id)
            uai = await repository.lock_establishment(conn, group_id)
            if uai is None:
                raise NotFoundException(detail=f"Aucun groupe {resource_id[:40]!r}.")
            stored = await repository.establishment(conn, group_id)
            assert stored is not None  # locked above
            documents.check_version(stored.version, expected_version)
            await repository.unprovision_establishment(conn, uai)

    def _user(self, resource_type: ResourceType, person: ProvisionedPerson) -> Resource[Any]:
        return documents.user(self.provider, resource_type, person, self._scim_id)

    def _group(
        self, resource_type: ResourceType, establishment: ProvisionedEstablishment
    ) -> Resource[Any]:
        return documents.group(self.provider, resource_type, establishment, self._scim_id)

    # From resources to rows

    @staticmethod
    async def _check_establishment(conn: Connection, uai: str) -> None:
        """The directory knows the establishment (its UAI's letter is checked) and has not
        closed it."""
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
                documents.text(attributes, "externalId"),
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
