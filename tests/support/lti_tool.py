"""An LTI 1.3 tool built on pylti1p3, an independent implementation, driven like a browser
would: the test carries the tool's session and cookies between the platform's steps."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import html
from pylti1p3.cookie import CookieService
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.registration import Registration, TKeySet
from pylti1p3.request import Request
from pylti1p3.session import SessionService
from pylti1p3.tool_config.dict import ToolConfDict

BASE = "https://outil.example"
LOGIN_URL = f"{BASE}/login"
LAUNCH_URL = f"{BASE}/launch"
JWKS_URL = f"{BASE}/jwks.json"


def rsa_pem() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def public_jwks(public_pem: str) -> dict[str, Any]:
    """The tool's JWKS, with the kid pylti1p3 signs with (the key's thumbprint)."""
    return {"keys": [dict(Registration.get_jwk(public_pem))]}


class _Request(Request):
    def __init__(self, params: dict[str, str], browser: Browser) -> None:
        self._params = params
        self._browser = browser

    @property
    def session(self) -> dict[str, Any]:
        return self._browser.session

    def is_secure(self) -> bool:
        return True

    def get_param(self, key: str) -> str:
        return self._params.get(key, "")


class Browser:
    """The tool's side of one browser: its session and cookies."""

    def __init__(self) -> None:
        self.session: dict[str, Any] = {}
        self.cookies: dict[str, str] = {}


class _Cookies(CookieService):
    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def get_cookie(self, name: str) -> str | None:
        return self._browser.cookies.get(f"{self._cookie_prefix}-{name}")

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        del exp  # the test's browser keeps cookies for its whole life
        self._browser.cookies[f"{self._cookie_prefix}-{name}"] = str(value)


class _Redirect(Redirect[str]):
    def __init__(self, location: str) -> None:
        self._location = location

    def do_redirect(self) -> str:
        return self._location

    def do_js_redirect(self) -> str:
        return self._location

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location


class _Login(OIDCLogin[Any, Any, Any, Any, str]):
    def get_redirect(self, url: str) -> _Redirect:
        return _Redirect(url)


class _Launch(MessageLaunch[Any, Any, Any, Any]):
    def _get_request_param(self, key: str) -> str:
        value: str = self._request.get_param(key)
        return value


class PyLtiTool:
    """One tool: its keys, its registration with the platform, its browser state."""

    def __init__(self) -> None:
        self.private_pem, self.public_pem = rsa_pem()
        self.jwks = public_jwks(self.public_pem)
        self.kid: str = self.jwks["keys"][0]["kid"]
        self.browser = Browser()
        self.config: ToolConfDict | None = None

    def transport(self) -> httpx.MockTransport:
        """The tool's web server, as the platform reaches it: its JWKS."""

        def serve(request: httpx.Request) -> httpx.Response:
            if str(request.url) == JWKS_URL:
                return httpx.Response(200, json=self.jwks)
            return httpx.Response(404)

        return httpx.MockTransport(serve)

    def registration(self, **extra: Any) -> dict[str, Any]:
        return {
            "client_name": "Atelier de géométrie",
            "initiate_login_uri": LOGIN_URL,
            "redirect_uris": [LAUNCH_URL],
            "jwks_uri": JWKS_URL,
            "logo_uri": f"{BASE}/logo.png",
            "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                "domain": "outil.example",
                "description": "Constructions géométriques interactives pour le cycle 3.",
                "target_link_uri": LAUNCH_URL,
                "custom_parameters": {"niveau": "6e"},
                "claims": ["iss", "sub"],
                "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": LAUNCH_URL}],
            },
            **extra,
        }

    def trust(
        self, issuer: str, client_id: str, deployment_id: str, platform_jwks: TKeySet
    ) -> None:
        config = ToolConfDict(
            {
                issuer: [
                    {
                        "default": True,
                        "client_id": client_id,
                        "auth_login_url": f"{issuer}/lti/authorize",
                        "auth_token_url": f"{issuer}/oauth/token",
                        "key_set": platform_jwks,
                        "deployment_ids": [deployment_id],
                    }
                ]
            }
        )
        config.set_private_key(issuer, self.private_pem, client_id=client_id)
        config.set_public_key(issuer, self.public_pem, client_id=client_id)
        self.config = config

    def login(self, initiation_url: str) -> str:
        """The tool's login initiation endpoint: where it sends the browser next."""
        params = dict(parse_qsl(urlsplit(initiation_url).query))
        request = _Request(params, self.browser)
        login = _Login(request, self.config, SessionService(request), _Cookies(self.browser))
        url: str = login.redirect(LAUNCH_URL)
        return url

    def launch(self, form: dict[str, str]) -> _Launch:
        """The tool's launch endpoint: validates the platform's id_token (raises if bad)."""
        request = _Request(form, self.browser)
        message = _Launch(request, self.config, SessionService(request), _Cookies(self.browser))
        message.get_launch_data()
        return message

    @staticmethod
    def deep_link_jwt(message: _Launch, items: list[tuple[str, str]]) -> str:
        resources = [DeepLinkResource().set_url(url).set_title(title) for title, url in items]
        token: str = message.get_deep_link().get_response_jwt(resources)
        return token


def posted_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the form a platform page posts to the tool."""
    form = html.fromstring(page).forms[0]
    return str(form.action), {name: str(value) for name, value in form.form_values()}
