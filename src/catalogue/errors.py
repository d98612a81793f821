"""The one error hierarchy. Everything the service refuses on purpose is a CatalogueError.

The HTTP layer turns these into RFC 9457 problem+json in one place (catalogue.problems);
the CLI prints their message on one line.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CatalogueError(Exception):
    """A failure we expected and can explain to the caller."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Erreur interne"
    # When set, the caller reads this and `detail` (the reason) goes to the log only.
    generic_detail: ClassVar[str | None] = None

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        public: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extra = extra
        self.shown = public or self.generic_detail or detail
        self.logged = False  # set where the reason was already logged

    @property
    def hides_reason(self) -> bool:
        """Whether the caller reads less than the log: the reason stays on our side."""
        return self.shown != self.detail


class ConfigurationError(CatalogueError):
    """What the operator must fix (the command line prints it); a caller only reads that the
    service is misconfigured."""

    slug = "configuration"
    title = "Configuration invalide"
    generic_detail: ClassVar[str | None] = (
        "Le service est mal configuré : son exploitant en trouvera la cause dans le journal."
    )


class DatabaseUnavailableError(CatalogueError):
    status = 503
    slug = "database-unavailable"
    title = "Base de données indisponible"
    generic_detail: ClassVar[str | None] = (
        "La base de données est indisponible : réessayez dans un moment."
    )


class ConnectionLostError(DatabaseUnavailableError):
    """The database connection went away mid-request; its transaction was rolled back or
    committed whole, so a request that is safe to repeat (an Idempotency-Key) may be retried."""

    generic_detail = None

    def __init__(
        self, detail: str = "La base de données a interrompu la requête : réessayez."
    ) -> None:
        super().__init__(detail, headers={"Retry-After": "1"})


class MigrationError(CatalogueError):
    slug = "migration"
    title = "Migration impossible"


class InvalidInputError(CatalogueError):
    status = 400
    slug = "invalid-input"
    title = "Requête invalide"


class UnprocessableError(CatalogueError):
    status = 422
    slug = "unprocessable"
    title = "Données refusées"


class UnauthorizedError(CatalogueError):
    """Why a credential was refused is logged, never told: it would guide a forger."""

    status = 401
    slug = "unauthorized"
    title = "Authentification requise"
    generic_detail: ClassVar[str | None] = (
        "Authentification requise : identifiants absents, invalides ou expirés."
    )

    def __init__(self, detail: str, *, public: str | None = None, **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, public=public, **extra)


class ForbiddenError(CatalogueError):
    """Why is logged; the body stays generic, so it never names another scope (a UAI)."""

    status = 403
    slug = "forbidden"
    title = "Accès refusé"
    generic_detail: ClassVar[str | None] = (
        "Vous n'avez pas le droit de faire cette action ou de voir cette ressource."
    )


class NotFoundError(CatalogueError):
    status = 404
    slug = "not-found"
    title = "Introuvable"


class UpstreamUnavailableError(CatalogueError):
    """A service we depend on (identity provider, search engine) does not answer. Its reason
    (which service, what failed) goes to the log; the caller reads that it is away."""

    status = 503
    slug = "upstream-unavailable"
    title = "Service tiers indisponible"
    generic_detail: ClassVar[str | None] = (
        "Un service dont dépend le catalogue ne répond pas : réessayez dans un moment."
    )


class QueryTimeoutError(CatalogueError):
    """A statement ran past its time (statement_timeout): the service is busy, not broken."""

    status = 503
    slug = "query-timeout"
    title = "Requête trop longue"

    def __init__(self, detail: str = "a statement ran past its statement_timeout") -> None:
        super().__init__(
            detail,
            headers={"Retry-After": "5"},
            public="La requête a pris trop de temps : réessayez dans un moment.",
        )


class ConflictError(CatalogueError):
    status = 409
    slug = "conflict"
    title = "Conflit"


class PublisherSuspendedError(ForbiddenError):
    """A suspended publisher's staff and clients write nothing and launch nothing."""

    slug = "publisher-suspended"
    title = "Éditeur suspendu"
    generic_detail = None

    def __init__(self) -> None:
        super().__init__(
            "Votre éditeur est suspendu par l'administration nationale : "
            "aucune modification ni aucun lancement de ses outils n'est possible."
        )


class RangeNotSatisfiableError(CatalogueError):
    """A Range request outside the file (RFC 9110 15.5.17)."""

    status = 416
    slug = "range-not-satisfiable"
    title = "Plage non satisfaisable"

    def __init__(self, size: int) -> None:
        super().__init__(
            f"La plage demandée est hors du fichier ({size} octets).",
            headers={"Content-Range": f"bytes */{size}"},
        )
