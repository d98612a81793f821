"""The communs' rules, shared by their use cases: open licences and share-alike, authorship
as shown, a commun as the resource search and OAI-PMH carry, "files or a link", and who may
read or moderate one."""

from __future__ import annotations

from uuid import UUID

from catalogue.communs import repository
from catalogue.communs.models import LICENCES, CommunDraft, Credit, State
from catalogue.communs.repository import COMMUN_CONNECTOR, COMMUNS_PUBLISHER, Author, StoredCommun
from catalogue.database import Connection
from catalogue.errors import ForbiddenError, NotFoundError, UnprocessableError
from catalogue.identity.models import Principal, Role
from catalogue.resources.models import Contributor, Provenance, ResourceDraft, Status
from catalogue.resources.service import save_resource
from catalogue.vocabularies.index import VocabularyIndex

SHARE_ALIKE = "CC-BY-SA-4.0"
# Licences that require attribution: an adaptation may not drop it (no CC0).
ATTRIBUTION = frozenset({"CC-BY-4.0", "CC-BY-SA-4.0", "etalab-2.0"})
ANONYMOUS_AUTHOR = "Enseignant ou enseignante de l'Éducation nationale"
ORIGINAL_AUTHOR_ROLE = "content provider"  # LOM role: the authors of the work adapted
NOT_FOUND = "Commun introuvable."
FILES_OR_LINK = (
    "Un commun a des fichiers ou un lien : donnez le lien vers la ressource, ou déposez "
    "ses fichiers."
)
_RESOURCE_STATUS = {
    State.PENDING: Status.DRAFT,
    State.VISIBLE: Status.PUBLISHED,
    State.HIDDEN: Status.WITHDRAWN,
}


def check_licence(licence: str, chain: list[Credit]) -> None:
    """An open licence, and one an adaptation may take: share-alike stays share-alike, and
    attribution is never released into CC0 (422 otherwise)."""
    if licence not in LICENCES:
        choices = ", ".join(LICENCES)
        message = f"Licence non ouverte : {licence!r}. Licences acceptées : {choices}."
        raise UnprocessableError(message, errors=[{"key": "licence", "message": message}])
    earlier = {credit.licence for credit in chain}
    if SHARE_ALIKE in earlier and licence != SHARE_ALIKE:
        message = (
            "Une adaptation d'une ressource sous CC BY-SA 4.0 reste sous CC BY-SA 4.0 "
            "(partage dans les mêmes conditions)."
        )
        raise UnprocessableError(message, errors=[{"key": "licence", "message": message}])
    if earlier & ATTRIBUTION and licence == "CC0-1.0":
        message = (
            "Une adaptation d'une ressource dont la licence exige l'attribution ne peut pas "
            "être versée dans le domaine public (CC0)."
        )
        raise UnprocessableError(message, errors=[{"key": "licence", "message": message}])


def check_files_or_link(draft: CommunDraft, *, has_files: bool) -> None:
    """A commun has files or a link: one of the two (422 naming the problem otherwise)."""
    if draft.link is None and not has_files:
        raise UnprocessableError(FILES_OR_LINK, errors=[{"key": "link", "message": FILES_OR_LINK}])


def shown_author(author: Author, *, show_name: bool) -> Contributor:
    """The author as pages, exports and OAI-PMH show them. When the name is not shown, it is
    not written anywhere: the establishment stands for it."""
    establishment = author.establishment_name
    if show_name and author.display_name.strip():
        return Contributor(
            role="author", name=author.display_name.strip(), organisation=establishment
        )
    return Contributor(role="author", name=establishment or ANONYMOUS_AUTHOR)


def contributors(author: Contributor, chain: list[Credit]) -> list[Contributor]:
    """The author, then the authors of the works adapted (the credit chain)."""
    found = [author]
    for credit in chain:
        for name in credit.authors:
            credited = Contributor(role=ORIGINAL_AUTHOR_ROLE, name=name)
            if credited not in found:
                found.append(credited)
    return found


def resource_draft(
    content: CommunDraft, state: State, credited: list[Contributor]
) -> ResourceDraft:
    """A commun as the resource search, OAI-PMH and the ScoLOMFR export carry."""
    licence = LICENCES[content.licence]
    return ResourceDraft(
        title=content.title,
        description=content.description,
        keywords=content.keywords,
        languages=[content.language],
        resource_types=content.resource_types,
        pedagogical_types=content.pedagogical_types,
        levels=content.levels,
        disciplines=content.disciplines,
        rights=f"{licence.label} {licence.url}",
        access_url=content.link,
        contributors=credited,
        status=_RESOURCE_STATUS[state],
    )


async def save_state(
    conn: Connection, vocab: VocabularyIndex, stored: StoredCommun, state: State
) -> None:
    """The resource's status follows the commun's state (the search index is told)."""
    author = await repository.author(conn, stored.author_id)
    assert author is not None  # the author of a stored commun is a person
    credited = contributors(shown_author(author, show_name=stored.show_name), stored.credits)
    await save_resource(
        conn,
        vocab,
        COMMUNS_PUBLISHER,
        resource_draft(stored.content, state, credited),
        Provenance(connector=COMMUN_CONNECTOR),
        resource_id=stored.id,
    )


def teacher(principal: Principal) -> UUID:
    """The caller, a teacher (403 otherwise)."""
    person = principal.person_id
    if person is None or not principal.has(Role.TEACHER):
        raise ForbiddenError("Réservé aux enseignants.")
    return person


def moderates(principal: Principal, academie: str | None) -> bool:
    """National administrators moderate every commun; an académie's, those of its authors."""
    if principal.kind != "person":
        return False
    if principal.has(Role.NATIONAL_ADMIN):
        return True
    return (
        principal.has(Role.ACADEMIE_ADMIN)
        and academie is not None
        and principal.academie == academie
    )


def may_read(principal: Principal, stored: StoredCommun) -> bool:
    return (
        stored.state == State.VISIBLE
        or principal.person_id == stored.author_id
        or moderates(principal, stored.academie)
    )


async def readable(conn: Connection, principal: Principal, resource_id: UUID) -> StoredCommun:
    """A commun the caller may read (404 otherwise, whether it exists or not)."""
    stored = await repository.commun_by_id(conn, resource_id)
    if stored is None or not may_read(principal, stored):
        raise NotFoundError(NOT_FOUND)
    return stored
