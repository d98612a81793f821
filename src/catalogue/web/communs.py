"""Pages of the communs numériques: mes publications, publish, edit, versions, adapt, report,
and the académie's moderation queue. Each handler makes one call of `Communs`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from catalogue.communs.models import ACTIONS, LICENCES, REASONS, STATES, CommunView
from catalogue.communs.moderation import Action, NewDecision, NewReport
from catalogue.communs.service import Communs, CommunService
from catalogue.errors import InvalidInputError, UnprocessableError
from catalogue.identity.csrf import STREAMED_FORM
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import Role
from catalogue.pages import page
from catalogue.vocabularies.index import Vocabulary
from catalogue.web.common import PAGE_EXCEPTION_HANDLERS, AnyRequest, field, page_user
from catalogue.web.commun_form import CONCEPTS, Submission, draft_of, form_values, size_label

LANGUAGES = {
    "fre": "français",
    "eng": "anglais",
    "ger": "allemand",
    "spa": "espagnol",
    "ita": "italien",
}
_ADMINS = (Role.ACADEMIE_ADMIN, Role.NATIONAL_ADMIN)


def _choices(vocab: Any, scheme: str) -> dict[str, str]:
    concepts = vocab.scheme(scheme) or []
    return {c.uri: c.label for c in sorted(concepts, key=lambda c: c.label) if not c.deprecated}


class CommunPages(Controller):
    path = "/communs"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/")
    async def mine(self, request: AnyRequest, communs: Communs) -> Template:
        principal = await page_user(request, Role.TEACHER)
        return page(
            "communs/mes-publications.html",
            principal,
            items=await communs.own(principal),
            states=STATES,
            actions=ACTIONS,
        )

    @get("/nouveau")
    async def new(
        self,
        request: AnyRequest,
        communs: Communs,
        vocab: Vocabulary,
        adapter: FromQuery[UUID | None] = None,
    ) -> Template:
        principal = await page_user(request, Role.TEACHER)
        original = await communs.read(principal, adapter) if adapter else None
        return self._form(principal, communs, vocab, form_values(original), {}, original=original)

    @post("/nouveau", status_code=303, opt={STREAMED_FORM: True})
    async def publish(
        self,
        request: AnyRequest,
        communs: Communs,
        vocab: Vocabulary,
        adapter: FromQuery[UUID | None] = None,
    ) -> Redirect | Template:
        """Publish, with files or a link, in one form (its files stream to the storage)."""
        principal = await page_user(request, Role.TEACHER, back="/communs/nouveau")
        original = await communs.read(principal, adapter) if adapter else None
        sent = await Submission.read(request, max_files_bytes=communs.files.max_resource)
        try:
            draft = draft_of(sent.values)
            saved = await communs.publish(principal, draft, based_on=adapter, files=sent.files())
        except UnprocessableError as exc:
            await sent.refused()
            return self._form(
                principal,
                communs,
                vocab,
                sent.values,
                sent.errors(exc),
                original=original,
                status=422,
            )
        return Redirect(f"/communs/{saved.id}?publie=1", status_code=303)

    @get("/{commun_id:uuid}")
    async def show(
        self,
        request: AnyRequest,
        communs: Communs,
        commun_id: FromPath[UUID],
        *,
        publie: FromQuery[int | None] = None,
        signale: FromQuery[int | None] = None,
        ajoute: FromQuery[int | None] = None,
    ) -> Template:
        principal = await page_user(request)
        commun = await communs.read(principal, commun_id)
        versions = await communs.versions(principal, commun_id)
        return page(
            "communs/fiche.html",
            principal,
            commun=commun,
            versions=versions,
            states=STATES,
            reasons=REASONS,
            mine=commun.id in {c.id for c in await communs.own(principal)}
            if principal.has(Role.TEACHER)
            else False,
            published=bool(publie),
            reported=bool(signale),
            added=bool(ajoute),
        )

    @get("/{commun_id:uuid}/modifier")
    async def edit_form(
        self, request: AnyRequest, communs: Communs, vocab: Vocabulary, commun_id: FromPath[UUID]
    ) -> Template:
        principal = await page_user(request, Role.TEACHER)
        commun = await communs.read(principal, commun_id)
        return self._form(principal, communs, vocab, form_values(commun), {}, editing=commun)

    @post("/{commun_id:uuid}/modifier", status_code=303, opt={STREAMED_FORM: True})
    async def edit(
        self, request: AnyRequest, communs: Communs, vocab: Vocabulary, commun_id: FromPath[UUID]
    ) -> Redirect | Template:
        """A new version, which may add files (they stream to the storage)."""
        principal = await page_user(request, Role.TEACHER, back=f"/communs/{commun_id}")
        sent = await Submission.read(request, max_files_bytes=communs.files.max_resource)
        try:
            draft = draft_of(sent.values)
            await communs.edit(principal, commun_id, draft, files=sent.files())
        except UnprocessableError as exc:
            await sent.refused()
            commun = await communs.read(principal, commun_id)
            return self._form(
                principal,
                communs,
                vocab,
                sent.values,
                sent.errors(exc),
                editing=commun,
                status=422,
            )
        return Redirect(f"/communs/{commun_id}?publie=1", status_code=303)

    @get("/{commun_id:uuid}/versions/{number:int}")
    async def version(
        self,
        request: AnyRequest,
        communs: Communs,
        commun_id: FromPath[UUID],
        number: FromPath[int],
    ) -> Template:
        principal = await page_user(request)
        found = await communs.version(principal, commun_id, number)
        return page("communs/version.html", principal, version=found, licences=LICENCES)

    @post("/{commun_id:uuid}/mes-ressources", status_code=303)
    async def select(
        self, request: AnyRequest, communs: Communs, commun_id: FromPath[UUID]
    ) -> Redirect:
        """ "Ajouter à mes ressources": free, in the ENT médiacentre."""
        principal = await page_user(request, Role.TEACHER, back=f"/communs/{commun_id}")
        await communs.select(principal, commun_id, selected=True)
        return Redirect(f"/communs/{commun_id}?ajoute=1", status_code=303)

    @post("/{commun_id:uuid}/signalement", status_code=303)
    async def report(
        self, request: AnyRequest, communs: Communs, commun_id: FromPath[UUID]
    ) -> Redirect:
        principal = await page_user(request, back=f"/communs/{commun_id}")
        form = await request.form()
        try:
            new = msgspec.convert(
                {"reason": field(form, "motif"), "text": field(form, "texte")}, NewReport
            )
        except msgspec.ValidationError as exc:
            raise InvalidInputError("Motif ou texte du signalement refusé.") from exc
        await communs.report(principal, commun_id, new)
        return Redirect(f"/communs/{commun_id}?signale=1", status_code=303)

    @get("/moderation")
    async def queue(
        self, request: AnyRequest, communs: Communs, fait: FromQuery[str | None] = None
    ) -> Template:
        principal = await page_user(request, *_ADMINS)
        return page(
            "communs/moderation.html",
            principal,
            queue=await communs.queue(principal),
            reasons=REASONS,
            states=STATES,
            done=ACTIONS.get(fait or ""),
        )

    @post("/moderation/{commun_id:uuid}", status_code=303)
    async def decide(
        self, request: AnyRequest, communs: Communs, commun_id: FromPath[UUID]
    ) -> Redirect:
        principal = await page_user(request, *_ADMINS, back="/communs/moderation")
        form = await request.form()
        try:
            new = NewDecision(
                action=Action(field(form, "decision")), reason=field(form, "motif")[:2000]
            )
        except ValueError as exc:
            raise InvalidInputError("Décision inconnue.") from exc
        await communs.decide(principal, commun_id, new)
        return Redirect(
            f"/communs/moderation?{urlencode({'fait': new.action.value})}", status_code=303
        )

    @post("/moderation/{resource_id:uuid}/classement", status_code=303)
    async def close_reports(
        self, request: AnyRequest, communs: Communs, resource_id: FromPath[UUID]
    ) -> Redirect:
        """A national administrator closes the reports on a publisher's offering."""
        principal = await page_user(request, Role.NATIONAL_ADMIN, back="/communs/moderation")
        await communs.close_offering_reports(principal, resource_id)
        return Redirect("/communs/moderation?fait=classement", status_code=303)

    def _form(
        self,
        principal: Any,
        communs: CommunService,
        vocab: Any,
        values: dict[str, str],
        errors: dict[str, str],
        *,
        original: CommunView | None = None,
        editing: CommunView | None = None,
        status: int = 200,
    ) -> Template:
        return page(
            "communs/formulaire.html",
            principal,
            status_code=status,
            values=values,
            errors=errors,
            original=original,
            editing=editing,
            licences={k: v.label for k, v in LICENCES.items()},
            languages=LANGUAGES,
            concepts={name: _choices(vocab, scheme) for name, (_, scheme) in CONCEPTS.items()},
            max_file=size_label(communs.files.max_file),
            max_resource=size_label(communs.files.max_resource),
        )
