"""Moderation of communs: reports by anyone signed in, the académie's queue, and decisions
(approve, hide, restore, delete) kept in a log the author reads."""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Annotated
from uuid import UUID

import asyncpg
import msgspec
import structlog

from catalogue.communs import repository
from catalogue.communs.models import ApprovalView, State
from catalogue.communs.repository import Awaiting, Decision, OpenReport, Report
from catalogue.communs.rules import NOT_FOUND, moderates, readable, save_state
from catalogue.errors import ConflictError, ForbiddenError, NotFoundError
from catalogue.identity.models import Principal, Role
from catalogue.limits import TooManyRequestsError
from catalogue.resources.outbox import announce_changes
from catalogue.storage import FileStorage
from catalogue.vocabularies.index import VocabularyIndex

log = structlog.get_logger(__name__)

REPORTS_PER_HOUR = 10
REPORT_WINDOW = timedelta(hours=1)
MAX_LISTED = 500


class ReportReason(enum.StrEnum):
    ILLEGAL = "illegal"
    COPYRIGHT = "copyright"
    PERSONAL_DATA = "personal_data"
    INAPPROPRIATE = "inappropriate"
    ERROR = "error"
    OTHER = "other"


class NewReport(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: ReportReason
    text: Annotated[str, msgspec.Meta(max_length=2_000)] = ""


class Action(enum.StrEnum):
    APPROVE = "approve"
    HIDE = "hide"
    RESTORE = "restore"
    DELETE = "delete"


class NewDecision(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    action: Action
    reason: Annotated[str, msgspec.Meta(max_length=2_000)] = ""


class QueueEntry(msgspec.Struct, kw_only=True):
    commun: Awaiting  # a commun, or a publisher's resource (``offering``)
    reports: list[OpenReport]
    offering: bool = False  # a publisher's resource: national administrators review it


# Which state an action leaves, from which states (None: the commun is deleted).
_TRANSITIONS: dict[Action, tuple[frozenset[State], State | None]] = {
    Action.APPROVE: (frozenset({State.PENDING}), State.VISIBLE),
    Action.HIDE: (frozenset({State.PENDING, State.VISIBLE}), State.HIDDEN),
    Action.RESTORE: (frozenset({State.HIDDEN}), State.VISIBLE),
    Action.DELETE: (frozenset(State), None),
}


class CommunModeration:
    """Reports and decisions (``CommunService.moderation``)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        vocab: VocabularyIndex,
        storage: FileStorage,
        *,
        reports_per_hour: int = REPORTS_PER_HOUR,
    ) -> None:
        self._pool = pool
        self._vocab = vocab
        self._storage = storage
        self._reports_per_hour = reports_per_hour

    async def report(
        self, principal: Principal, resource_id: UUID, new: NewReport, *, offerings: bool = False
    ) -> Report:
        """Anyone signed in reports a commun they can see or, with ``offerings``, a publisher's
        published resource too; at most ``reports_per_hour`` in all (404 for anything else)."""
        person = principal.person_id
        if person is None:
            raise ForbiddenError("Réservé aux personnes connectées.")
        async with self._pool.acquire() as conn, conn.transaction():
            if not (offerings and await repository.reportable_offering(conn, resource_id)):
                await readable(conn, principal, resource_id)
            if (
                await repository.reports_since(conn, person, REPORT_WINDOW)
                >= self._reports_per_hour
            ):
                raise TooManyRequestsError(
                    "Trop de signalements en une heure : réessayez plus tard.",
                    retry_after_s=3600,
                )
            report = await repository.insert_report(
                conn, resource_id, person, str(new.reason), new.text
            )
        log.info("commun reported", commun=str(resource_id), reason=str(new.reason))
        return report

    async def queue(self, principal: Principal) -> list[QueueEntry]:
        """Communs awaiting their first review and reported ones, in the administrator's
        académie (every académie for a national administrator)."""
        if principal.has(Role.NATIONAL_ADMIN):
            academie = None
        elif principal.has(Role.ACADEMIE_ADMIN) and principal.academie:
            academie = principal.academie
        else:
            raise ForbiddenError("Réservé aux administrateurs d'académie.")
        async with self._pool.acquire() as conn:
            waiting = await repository.moderation_queue(conn, academie, MAX_LISTED)
            offered = [] if academie else await repository.offering_queue(conn, MAX_LISTED)
            return [
                QueueEntry(
                    commun=c,
                    reports=await repository.open_reports(conn, c.id),
                    offering=offering,
                )
                for offering, found in ((False, waiting), (True, offered))
                for c in found
            ]

    async def close_offering_reports(self, principal: Principal, resource_id: UUID) -> int:
        """A national administrator closes the open reports on a publisher's resource, once
        reviewed (acting on the offering itself is the publishers' moderation)."""
        if principal.kind != "person" or not principal.has(Role.NATIONAL_ADMIN):
            raise ForbiddenError("Réservé aux administrateurs nationaux.")
        async with self._pool.acquire() as conn, conn.transaction():
            closed = await repository.close_offering_reports(conn, resource_id)
        if closed == 0:
            raise NotFoundError("Aucun signalement ouvert sur cette ressource.")
        log.info("offering reports closed", resource=str(resource_id), closed=closed)
        return closed

    async def decide(self, principal: Principal, resource_id: UUID, new: NewDecision) -> Decision:
        """Approve, hide, restore or delete, logged; the open reports are closed. A deleted
        commun's resource stays as a tombstone: a deleted record for OAI-PMH harvesters."""
        moderator = principal.person_id
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await repository.lock_commun(conn, resource_id)
            if stored is None:
                raise NotFoundError(NOT_FOUND)
            if moderator is None or not moderates(principal, stored.academie):
                raise ForbiddenError("Réservé aux administrateurs de l'académie de l'auteur.")
            allowed, after = _TRANSITIONS[new.action]
            if State(stored.state) not in allowed:
                raise ConflictError(
                    f"Décision impossible : la ressource est dans l'état « {stored.state} »."
                )
            decision = await repository.insert_decision(
                conn, stored, moderator, str(new.action), new.reason
            )
            await repository.close_reports(conn, resource_id)
            keys: list[str] = []
            if after is None:
                keys = await repository.file_keys(conn, resource_id)
                await repository.delete_commun(conn, resource_id)
                await announce_changes(conn, [resource_id])
            else:
                await repository.set_state(conn, resource_id, after)
                await save_state(conn, self._vocab, stored, after)
        for key in keys:  # once the deletion is committed
            await self._storage.delete(key)
        log.info("commun moderated", commun=str(resource_id), action=str(new.action))
        return decision

    async def approve(self, principal: Principal, resource_id: UUID) -> ApprovalView:
        await self.decide(principal, resource_id, NewDecision(action=Action.APPROVE))
        return ApprovalView(id=resource_id, state=State.VISIBLE)
