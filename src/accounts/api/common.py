"""What the compte ressource's handlers share: guards, the request type, CSV answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response
from litestar.params import QueryParameter

from accounts import reports
from catalogue.identity.guards import requires
from catalogue.identity.models import ADMIN_ROLES, Principal, Role

AuthRequest = Request[Principal, Any, Any]
ADMINS = requires(*ADMIN_ROLES)
NATIONAL = requires(Role.NATIONAL_ADMIN)
TEACHERS = requires(Role.TEACHER)
TAGS = ["compte ressource"]
CSV = "text/csv; charset=utf-8"
PeriodParam = Annotated[UUID | None, QueryParameter(description="par défaut, la période en cours")]


def csv_response(name: str, header: Sequence[str], rows: Any) -> Response[str]:
    return Response(
        reports.to_csv(header, rows),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
