"""Acquisitions over HTTP: a purchase (idempotent), the visible list, decisions."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody

from accounts.acquisitions import check_key
from accounts.api.common import TAGS, TEACHERS, AuthRequest
from accounts.models import Acquisition, AcquisitionStatus, NewAcquisition
from accounts.service import Accounts, Action
from catalogue.identity.guards import requires
from catalogue.identity.models import ADMIN_ROLES, Role
from catalogue.strict import strictly

Decision = Literal["approval", "rejection", "cancellation", "refund"]
DECISIONS: dict[str, Action] = {
    "approval": "approve",
    "rejection": "reject",
    "cancellation": "cancel",
    "refund": "refund",
}


class AcquisitionsController(Controller):
    path = "/api/v1/acquisitions"
    tags = TAGS

    @post(
        "/",
        guards=[TEACHERS],
        summary="Acquérir une licence avec son budget (Idempotency-Key requis)",
        description="201 : licence délivrée ; 202 : fonds réservés en attente d'approbation. "
        "Même clé et même corps : la première réponse ; autre corps : 422 ; en cours : 409.",
        responses=None,
    )
    async def acquire(
        self,
        request: AuthRequest,
        accounts: Accounts,
        data: JSONBody[NewAcquisition],
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
    ) -> Response[Acquisition]:
        key = check_key(idempotency_key)
        new = await strictly(request, data)
        status, body = await accounts.acquire(request.user, key=key, new=new)
        return Response(body, status_code=status)  # type: ignore[arg-type]  # the stored Acquisition

    @get(
        "/",
        guards=[requires(Role.TEACHER, *ADMIN_ROLES)],
        summary="Acquisitions visibles (les siennes, ou celles du périmètre)",
    )
    async def list_acquisitions(
        self,
        request: AuthRequest,
        accounts: Accounts,
        status: FromQuery[AcquisitionStatus | None] = None,
        uai: FromQuery[str | None] = None,
        academie: FromQuery[str | None] = None,
    ) -> list[Acquisition]:
        return await accounts.acquisitions(request.user, status=status, academie=academie, uai=uai)

    @post(
        "/{acquisition_id:uuid}/{decision:str}",
        guards=[requires(Role.TEACHER, *ADMIN_ROLES)],
        status_code=200,
        summary="Décider : approval (licence délivrée), rejection (fonds rendus), "
        "cancellation (par l'enseignant), refund (dans le délai)",
    )
    async def decide(
        self,
        request: AuthRequest,
        accounts: Accounts,
        acquisition_id: FromPath[UUID],
        decision: FromPath[Decision],
    ) -> Acquisition:
        """Administrators of the teacher's scope decide; the teacher may only cancel."""
        return await accounts.decide(request.user, acquisition_id, DECISIONS[decision])
