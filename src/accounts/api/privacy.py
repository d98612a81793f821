"""A person's own data, to download (RGPD access and portability), as JSON and as CSV."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get

from accounts import reports
from accounts.api.common import CSV, TAGS, AuthRequest, csv_response
from accounts.models import MyData
from accounts.service import Accounts
from catalogue.errors import ForbiddenError
from catalogue.identity.guards import signed_in


class PrivacyController(Controller):
    path = "/api/v1/me"
    tags = TAGS
    guards = [signed_in]  # noqa: RUF012  # Litestar reads it as a class attribute

    @get(
        "/data",
        summary="Toutes ses données : profil, mobilités, mouvements, acquisitions, licences",
    )
    async def my_data(self, request: AuthRequest, accounts: Accounts) -> MyData:
        return await accounts.my_data(_person(request))

    @get("/data.csv", media_type=CSV, summary="Toutes ses données, en CSV")
    async def my_data_csv(self, request: AuthRequest, accounts: Accounts) -> Response[str]:
        data = await accounts.my_data(_person(request))
        return csv_response(
            "mes-donnees",
            ("rubrique", "date", "nature", "montant_centimes", "detail"),
            reports.my_data_rows(data),
        )


def _person(request: AuthRequest) -> UUID:
    person_id = request.user.person_id
    if person_id is None:
        raise ForbiddenError("machine clients have no personal data")
    return person_id
