"""Communs over HTTP: publishing, versions, adaptations, reports and moderation."""

from __future__ import annotations

from email.utils import format_datetime
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody, Parameter
from litestar.response import Response, Stream

from catalogue.communs.files import ATTACHMENT_ONLY, byte_range
from catalogue.communs.models import (
    ApprovalView,
    CommunDraft,
    CommunVersion,
    CommunView,
    FileView,
    OwnCommun,
    VersionSummary,
)
from catalogue.communs.moderation import NewDecision, NewReport, QueueEntry
from catalogue.communs.repository import Decision, Report, StoredFile
from catalogue.communs.service import Communs
from catalogue.identity.guards import requires, signed_in
from catalogue.identity.models import Principal, Role


class CommunsController(Controller):
    """Teachers' communs numériques (open licences, free, no offer)."""

    path = "/api/v1/communs"
    tags = ["communs"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [signed_in]  # noqa: RUF012  # same

    @post(
        "/",
        guards=[requires(Role.TEACHER)],
        summary="Publier un commun (la première publication attend la validation de l'académie)",
    )
    async def publish(
        self, request: Request[Principal, Any, Any], communs: Communs, data: JSONBody[CommunDraft]
    ) -> CommunView:
        return await communs.publish(request.user, data)

    @get("/mine", summary="Mes publications, et la dernière décision de modération de chacune")
    async def mine(
        self, request: Request[Principal, Any, Any], communs: Communs
    ) -> list[OwnCommun]:
        return await communs.own(request.user)

    @get(
        "/moderation",
        guards=[requires(Role.ACADEMIE_ADMIN, Role.NATIONAL_ADMIN)],
        summary="File de modération : premières publications et signalements ouverts",
    )
    async def queue(
        self, request: Request[Principal, Any, Any], communs: Communs
    ) -> list[QueueEntry]:
        return await communs.queue(request.user)

    @get("/{commun_id:uuid}", summary="Un commun, dans sa dernière version")
    async def read(
        self, request: Request[Principal, Any, Any], communs: Communs, commun_id: FromPath[UUID]
    ) -> CommunView:
        return await communs.read(request.user, commun_id)

    @put(
        "/{commun_id:uuid}",
        guards=[requires(Role.TEACHER)],
        summary="Modifier son commun : une nouvelle version, les précédentes restent lisibles",
    )
    async def edit(
        self,
        request: Request[Principal, Any, Any],
        *,
        communs: Communs,
        commun_id: FromPath[UUID],
        data: JSONBody[CommunDraft],
    ) -> CommunView:
        return await communs.edit(request.user, commun_id, data)

    @get("/{commun_id:uuid}/versions", summary="Les versions d'un commun, la plus récente d'abord")
    async def versions(
        self, request: Request[Principal, Any, Any], communs: Communs, commun_id: FromPath[UUID]
    ) -> list[VersionSummary]:
        return await communs.versions(request.user, commun_id)

    @get("/{commun_id:uuid}/versions/{number:int}", summary="Une version d'un commun")
    async def version(
        self,
        request: Request[Principal, Any, Any],
        communs: Communs,
        commun_id: FromPath[UUID],
        number: Annotated[int, Parameter(ge=1, le=1_000_000)],
    ) -> CommunVersion:
        return await communs.version(request.user, commun_id, number)

    @post(
        "/{commun_id:uuid}/adaptations",
        guards=[requires(Role.TEACHER)],
        summary="Adapter un commun : une nouvelle ressource liée à l'original (isbasedon)",
    )
    async def adapt(
        self,
        request: Request[Principal, Any, Any],
        *,
        communs: Communs,
        commun_id: FromPath[UUID],
        data: JSONBody[CommunDraft],
    ) -> CommunView:
        return await communs.publish(request.user, data, based_on=commun_id)

    @post("/{commun_id:uuid}/reports", summary="Signaler un commun (motif, texte libre)")
    async def report(
        self,
        request: Request[Principal, Any, Any],
        *,
        communs: Communs,
        commun_id: FromPath[UUID],
        data: JSONBody[NewReport],
    ) -> Report:
        return await communs.report(request.user, commun_id, data)

    @post(
        "/{commun_id:uuid}/decisions",
        guards=[requires(Role.ACADEMIE_ADMIN, Role.NATIONAL_ADMIN)],
        summary="Décision de modération : valider, masquer, rétablir ou supprimer",
    )
    async def decide(
        self,
        request: Request[Principal, Any, Any],
        *,
        communs: Communs,
        commun_id: FromPath[UUID],
        data: JSONBody[NewDecision],
    ) -> Decision:
        return await communs.decide(request.user, commun_id, data)

    @post(
        "/{commun_id:uuid}/approval",
        guards=[requires(Role.ACADEMIE_ADMIN, Role.NATIONAL_ADMIN)],
        summary="Valider la première publication d'un enseignant",
    )
    async def approve(
        self, request: Request[Principal, Any, Any], communs: Communs, commun_id: FromPath[UUID]
    ) -> ApprovalView:
        return await communs.approve(request.user, commun_id)

    @put(
        "/{commun_id:uuid}/selection",
        guards=[requires(Role.TEACHER)],
        status_code=204,
        summary="Ajouter un commun à mes ressources (médiacentre de l'ENT, sans achat)",
    )
    async def select(
        self, request: Request[Principal, Any, Any], communs: Communs, commun_id: FromPath[UUID]
    ) -> None:
        await communs.select(request.user, commun_id, selected=True)

    @delete(
        "/{commun_id:uuid}/selection",
        guards=[requires(Role.TEACHER)],
        summary="Retirer un commun de mes ressources",
    )
    async def unselect(
        self, request: Request[Principal, Any, Any], communs: Communs, commun_id: FromPath[UUID]
    ) -> None:
        await communs.select(request.user, commun_id, selected=False)

    @put(
        "/{commun_id:uuid}/files/{name:str}",
        guards=[requires(Role.TEACHER)],
        status_code=201,
        # The upload streams to the storage; the commun's own limits apply as it comes.
        request_max_body_size=None,
        summary="Déposer un fichier (corps brut, transmis au stockage au fil de l'eau)",
    )
    async def upload(
        self,
        request: Request[Principal, Any, Any],
        communs: Communs,
        commun_id: FromPath[UUID],
        name: FromPath[str],
    ) -> FileView:
        return await communs.add_file(request.user, commun_id, name, request.stream())

    @get(
        "/{commun_id:uuid}/files/{file_id:uuid}",
        summary="Télécharger un fichier (requêtes Range, en-têtes de cache)",
    )
    async def download(
        self,
        request: Request[Principal, Any, Any],
        communs: Communs,
        commun_id: FromPath[UUID],
        file_id: FromPath[UUID],
    ) -> Response[Any]:
        found = await communs.file(request.user, commun_id, file_id)
        headers = _file_headers(found)
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(b"", status_code=304, headers=headers)
        asked = byte_range(request.headers.get("range"), found.size)
        start, end = asked or (0, found.size)
        headers["Content-Length"] = str(end - start)
        if asked is not None:
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{found.size}"
        return Stream(
            communs.read_file(found, start, end),
            status_code=206 if asked is not None else 200,
            headers=headers,
            media_type=found.media_type,
        )


class ResourceReportsController(Controller):
    """Reports on any published resource, publishers' offerings too, into the communs'
    moderation queue (national administrators review offerings)."""

    path = "/api/v1/resources"
    tags = ["communs"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [signed_in]  # noqa: RUF012  # same

    @post(
        "/{resource_id:uuid}/reports",
        summary="Signaler une ressource publiée, commun ou offre d'un éditeur (motif, texte libre)",
    )
    async def report(
        self,
        request: Request[Principal, Any, Any],
        *,
        communs: Communs,
        resource_id: FromPath[UUID],
        data: JSONBody[NewReport],
    ) -> Report:
        return await communs.report(request.user, resource_id, data, offerings=True)

    @post(
        "/{resource_id:uuid}/reports/closure",
        guards=[requires(Role.NATIONAL_ADMIN)],
        status_code=204,
        summary="Classer les signalements ouverts sur l'offre d'un éditeur, une fois examinés",
    )
    async def close(
        self, request: Request[Principal, Any, Any], communs: Communs, resource_id: FromPath[UUID]
    ) -> None:
        await communs.close_offering_reports(request.user, resource_id)


def _file_headers(found: StoredFile) -> dict[str, str]:
    """A file is never a page of ours: no script runs from it, and the active types (HTML,
    SVG, text) are only ever downloaded."""
    disposition = "attachment" if found.media_type in ATTACHMENT_ONLY else "inline"
    quoted = quote(found.name, safe="")
    return {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quoted}",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
        # Files never change under their id (a new upload is a new id); readers are signed in.
        "Cache-Control": "private, max-age=86400, immutable",
        "ETag": f'"{found.sha256}"',
        "Last-Modified": format_datetime(found.created_at, usegmt=True),
    }
