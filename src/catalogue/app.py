"""The Litestar application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import structlog
from litestar import Litestar
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from accounts import api as accounts_api
from accounts import movements
from accounts.service import AccountsService
from catalogue import __version__, health, pages
from catalogue.assets import IMMUTABLE, STATIC_DIR, STATIC_PREFIX
from catalogue.collections import api as collections_api
from catalogue.collections.privacy import ListsOfPerson
from catalogue.collections.service import CollectionService
from catalogue.communs import api as communs_api
from catalogue.communs.privacy import CommunsOfPerson
from catalogue.communs.service import CommunService
from catalogue.config import Settings, get_settings
from catalogue.database import Connection, create_pool
from catalogue.dependencies import DEPENDENCIES
from catalogue.directory import api as directory_api
from catalogue.directory.service import DirectoryService
from catalogue.gar import api as gar_api
from catalogue.gar.outbox import GarOutbox
from catalogue.harvests import api as harvests_api
from catalogue.identity import api as identity_api
from catalogue.identity import web as identity_web
from catalogue.identity.authn import SESSION_LIFETIME_S, Authenticator
from catalogue.identity.csrf import CsrfMiddleware
from catalogue.identity.guards import PUBLIC, Authenticate
from catalogue.identity.jwks import OidcProvider
from catalogue.identity.keys import key_sealer, seal_clear_keys
from catalogue.identity.listener import Listener
from catalogue.identity.secrets import derive_key, resolve_secret_key
from catalogue.identity.signin import OidcSignIn
from catalogue.imports import api as imports_api
from catalogue.limits import CallerLimits, TokenEndpointLimits
from catalogue.logs import configure_logging
from catalogue.lti import api as lti_api
from catalogue.lti.launch import ToolKeys
from catalogue.metrics import Metrics
from catalogue.metrics import metrics as metrics_route
from catalogue.middleware import RequestContext
from catalogue.oai import api as oai_api
from catalogue.oai.service import Provider
from catalogue.outbound import is_loopback, outbound_client, publisher_client
from catalogue.problems import document_problems, exception_handlers
from catalogue.provisioning import app as provisioning_app
from catalogue.provisioning.changes import PersonChange
from catalogue.request_bodies import check_json_body
from catalogue.resources import api as resources_api
from catalogue.resources.publishing import ResourceService
from catalogue.search import api as search_api
from catalogue.search.backends import notice_handlers, reload_index, search_backend
from catalogue.search.service import SearchService
from catalogue.storage import file_storage
from catalogue.vocabularies import api as vocabularies_api
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.web import routes as web_routes
from catalogue.web.common import no_such_page
from catalogue.web.etags import COMPRESSION
from catalogue.web.headers import security_headers
from catalogue.web.thumbnails import thumbnail_service
from catalogue.webhooks import api as webhooks_api
from catalogue.webhooks.events import Waker
from catalogue.worker import running_worker

HERE = Path(__file__).parent
log = structlog.get_logger(__name__)
# Paths without CSRF check. Bearer-token endpoints: no cookie authenticates a write there (see
# guards). LTI steps posted by tools carry their own proof (a registration token, a signed
# JWT) and no cookie of ours.
_CSRF_EXEMPT = (
    "^/api/",
    "^/oauth/token$",
    "^/oai$",
    "^/healthz$",
    "^/readyz$",
    "^/metrics$",
    "^/static/",
    "^/vignettes/",
    "^/lti/register$",
    "^/lti/authorize$",
    "^/lti/deep-link/return$",
)


def create_app(
    settings: Settings | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
    key_refresh_s: float = 10.0,
    extra_route_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    """Build the Litestar app.

    The database pool and the outbound HTTP client open and close with the app's lifespan;
    tests hand in ``http_transport`` so that no request leaves the machine.
    """
    settings = settings or get_settings()
    configure_logging(settings)
    secret = resolve_secret_key(settings)
    secure_cookies = not is_loopback(urlsplit(settings.issuer).hostname or "")
    scim = provisioning_app.ScimApplication()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        url = settings.database_url
        if url is None:
            raise RuntimeError("create_app needs a resolved database_url (the CLI provides it)")
        async with (
            await create_pool(
                url,
                max_size=settings.db_pool_size,
                statement_timeout_ms=settings.statement_timeout_ms,
            ) as pool,
            outbound_client(http_transport) as http,
            # Publishers' URLs (webhooks, tool keys, OAI-PMH sources) have a client of their own.
            publisher_client(
                production=settings.production, transport=http_transport
            ) as to_publishers,
            # Thumbnails from publishers' URLs, resized on our origin (web/thumbnails.py).
            thumbnail_service(settings, http_transport) as thumbnails,
        ):
            oidc = settings.oidc
            provider = (
                OidcProvider(http, oidc.issuer, min_refresh_s=key_refresh_s) if oidc else None
            )
            authenticator = Authenticator(
                settings,
                pool,
                provider,
                min_refresh_s=key_refresh_s,
                on_move=movements.follow_sign_in,
            )
            async with pool.acquire() as conn:
                vocab = await VocabularyIndex.load(conn)
                await _seal_clear_keys(conn, settings)
            backend = search_backend(settings, pool, http_transport=http_transport)
            webhook_key = derive_key(secret, "webhooks")
            probe = health.Probe(url)
            pseudonym_key = derive_key(secret, "pseudonym")
            waker = Waker(pool)
            app.state.update(
                probe=probe,
                token_limits=TokenEndpointLimits(settings),
                vocab=vocab,
                oai=Provider(
                    pool, vocab, settings.issuer, urlsplit(settings.issuer).hostname or ""
                ),
                search=SearchService(backend, vocab, pool, observe=metrics.observe_search),
                resources=ResourceService(pool, vocab),
                communs=CommunService(
                    pool,
                    vocab,
                    file_storage(settings),
                    max_file_bytes=settings.commun_max_file_bytes,
                    max_resource_bytes=settings.commun_max_resource_bytes,
                ),
                collections=CollectionService(pool),
                directory=DirectoryService(pool),
                settings=settings,
                pool=pool,
                pseudonym_key=pseudonym_key,
                tool_keys=ToolKeys(to_publishers, min_refresh_s=key_refresh_s),
                webhook_key=webhook_key,
                webhook_waker=waker,
                accounts=AccountsService(
                    pool,
                    vocab,
                    pseudonym_key,
                    waker,
                    refund_window=timedelta(days=settings.refund_window_days),
                    personal_data=(ListsOfPerson(), CommunsOfPerson()),
                    gar=GarOutbox(pool, settings.gar) if settings.gar else None,
                ),
                publisher_http=to_publishers,
                thumbnails=thumbnails,
                authenticator=authenticator,
                sign_in=(
                    OidcSignIn(settings, oidc, provider, http, authenticator)
                    if oidc and provider
                    else None
                ),
            )

            scim.link(
                provisioning_app.ScimLink(
                    pool=pool,
                    authenticator=authenticator,
                    pseudonym_key=pseudonym_key,
                    base_url=f"{settings.issuer}{provisioning_app.MOUNT}/v2",
                    on_change=_ledger_follows,
                )
            )

            def on_connect() -> None:
                authenticator.forget_cached_state()
                reload_index(backend)

            listener = Listener(
                url, {**authenticator.notice_handlers(), **notice_handlers(backend)}, on_connect
            )
            listening = asyncio.create_task(listener.run())
            app.state.listener = listener
            try:
                async with running_worker(
                    settings, pool, backend, vocab, to_publishers, webhook_key=webhook_key
                ):
                    yield
            finally:
                listening.cancel()
                with suppress(asyncio.CancelledError):
                    await listening
                scim.link(None)
                await backend.aclose()
                await probe.aclose()

    session = CookieBackendConfig(
        secret=derive_key(secret, "session"),
        key="catalogue_session",
        max_age=SESSION_LIFETIME_S,
        secure=secure_cookies,
        httponly=True,
        samesite="lax",
        exclude=["^/healthz", "^/readyz", "^/static/", "^/vignettes/"],
    )
    return Litestar(
        state=State({"metrics": metrics}),
        route_handlers=[
            health.healthz,
            health.readyz,
            metrics_route,
            pages.accessibility,
            *web_routes.ROUTES,
            search_api.search,
            resources_api.resource,
            resources_api.PublisherResourcesController,
            resources_api.ModerationController,
            resources_api.approve,
            communs_api.CommunsController,
            collections_api.CollectionsController,
            communs_api.ResourceReportsController,
            imports_api.ImportsController,
            harvests_api.HarvestsController,
            directory_api.find_establishments,
            oai_api.oai,
            oai_api.scolomfr_xsd,
            vocabularies_api.vocabulary,
            identity_api.IdentityController,
            identity_api.PublisherClientsController,
            identity_api.PlatformClientsController,
            identity_api.token,
            identity_api.jwks,
            identity_web.AuthController,
            identity_web.account,
            *accounts_api.ROUTES,
            lti_api.router,
            lti_api.PublisherToolsController,
            lti_api.my_links,
            webhooks_api.WebhooksController,
            gar_api.GarDeliveriesController,
            scim.route(),
            # Under a version made of their content: cached for a year, never stale.
            create_static_files_router(
                STATIC_PREFIX,
                directories=[STATIC_DIR],
                opt={PUBLIC: True},
                include_in_schema=False,
                cache_control=IMMUTABLE,
            ),
            *extra_route_handlers,
        ],
        dependencies=DEPENDENCIES,
        lifespan=[lifespan],
        on_startup=[document_problems],
        middleware=[
            session.middleware,
            DefineMiddleware(Authenticate, exclude_from_auth_key=PUBLIC, exclude=["^/schema"]),
            DefineMiddleware(
                CsrfMiddleware,
                key=derive_key(secret, "csrf"),
                exclude=_CSRF_EXEMPT,
                cookie_secure=secure_cookies,
            ),
            # After authentication: a signed-in caller is counted as themselves.
            CallerLimits(settings),
        ],
        # Answers above 1 KB gzipped; pages tagged (ETag, 304) before that (web/etags.py).
        compression_config=COMPRESSION,
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        before_request=check_json_body,
        # A browser at an address with no page gets the 404 page; callers of the API, problems.
        exception_handlers={**exception_handlers, HTTPException: no_such_page},
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Catalogue de ressources numériques éducatives",
            version=__version__,
            path="/schema",
            # The document only, as JSON (also at /schema) and YAML: the browsable renderers
            # load their scripts from CDNs, which the pages' policy refuses.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        ),
        before_send=[security_headers(https=urlsplit(settings.issuer).scheme == "https")],
        logging_config=None,
        debug=False,
    )


async def _ledger_follows(conn: Connection, change: PersonChange) -> None:
    """A provisioning's move or departure reaches the ledger (SCIM's ``PersonMoved`` hook)."""
    await movements.follow_provisioning(
        conn,
        change.before.id,
        to_uai=change.establishment_uai,
        # A person already gone has no envelope left to move (it went back at departure).
        moved=change.moved and change.before.active and change.active,
        deactivated=change.deactivated,
    )


async def _seal_clear_keys(conn: Connection, settings: Settings) -> None:
    """Private signing keys written in clear by an earlier version are sealed at start."""
    sealed = await seal_clear_keys(conn, key_sealer(settings))
    if sealed:
        log.info("signing keys sealed", count=sealed)


def create_asgi_app(
    settings: Settings | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
    key_refresh_s: float = 10.0,
) -> RequestContext:
    """What the ASGI server runs: the app inside the request-context layer."""
    return RequestContext(
        create_app(settings, http_transport=http_transport, key_refresh_s=key_refresh_s)
    )
