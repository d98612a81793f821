"""Refusals of the compte ressource, in the platform's one error hierarchy."""

from __future__ import annotations

from catalogue.errors import ConflictError, ForbiddenError, UnprocessableError


class InsufficientFundsError(UnprocessableError):
    slug = "insufficient-funds"
    title = "Solde insuffisant"


class RefusedByRuleError(UnprocessableError):
    slug = "refused-by-rule"
    title = "Refusé par une règle"


class PeriodError(UnprocessableError):
    slug = "budget-period"
    title = "Période budgétaire"


class WrongStateError(ConflictError):
    slug = "wrong-state"
    title = "Demande dans un autre état"


class KeyReusedError(UnprocessableError):
    slug = "idempotency-key-reused"
    title = "Clé d'idempotence déjà utilisée"


class RequestInFlightError(ConflictError):
    slug = "request-in-flight"
    title = "Requête en cours"


class OwnDecisionError(ForbiddenError):
    """Separation of duties: nobody decides on their own acquisition or funds themselves,
    whatever roles they hold."""

    slug = "own-decision"
    title = "Décision sur soi-même refusée"
    generic_detail = None


class InactiveError(UnprocessableError):
    """A person who left or an establishment that closed: they get no allocation, and nobody
    moves to a closed establishment."""

    slug = "inactive"
    title = "Personne ou établissement inactif"
