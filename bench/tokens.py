"""Bearer token verification per second, next to a bare signature check with the same library.

    python bench/tokens.py [--seconds 3]

Prints figures; asserts nothing. Runs on one core, in one process.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from catalogue import migrations
from catalogue.config import OidcSettings, Settings
from catalogue.database import connect, create_pool, start_embedded, with_database
from catalogue.identity.authn import Authenticator
from catalogue.identity.jwks import KeyCache, OidcProvider
from catalogue.identity.verifier import unverified_header_and_issuer, verify_jwt

ISSUER = "https://idp.bench"
KEY = RSAKey.generate_key(2048, parameters={"kid": "bench", "alg": "RS256", "use": "sig"})


def provider_transport() -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                },
            )
        return httpx.Response(200, json=KeySet([KEY]).as_dict(private=False))

    return httpx.MockTransport(handle)


def access_token() -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "catalogue-api",
        "sub": "agent-1",
        "iat": now,
        "exp": now + 3600,
        "roles": ["teacher"],
        "uai": "0751234J",
        "academie": "paris",
    }
    return jwt.encode({"alg": "RS256", "kid": "bench", "typ": "at+jwt"}, claims, KEY)


async def rate(label: str, seconds: float, work: Callable[[], Awaitable[object]]) -> float:
    await work()  # warm caches
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _ in range(100):
            await work()
        count += 100
    per_second = count / (time.perf_counter() - started)
    print(f"  {label:44} {per_second:9.0f} /s")
    return per_second


async def main(seconds: float) -> None:
    token = access_token()
    public = KeySet([RSAKey.import_key(KEY.as_dict(private=False))])
    cache = KeyCache(lambda: asyncio.sleep(0, result=public))

    async def bare() -> object:
        return jwt.decode(token, public, algorithms=["RS256"])

    async def verified() -> object:
        header, issuer = unverified_header_and_issuer(token)
        return await verify_jwt(
            token, header, cache, issuer=issuer, audience="catalogue-api", access_token=True
        )

    with tempfile.TemporaryDirectory() as tmp:
        url = with_database(start_embedded(Settings(data_dir=Path(tmp))), "postgres")
        conn = await connect(url)
        await migrations.migrate(conn)
        await conn.close()
        settings = Settings(
            database_url=url,
            data_dir=Path(tmp),
            oidc=OidcSettings(issuer=ISSUER, client_id="bench"),
        )
        async with (
            await create_pool(url, max_size=2) as pool,
            httpx.AsyncClient(transport=provider_transport()) as http,
        ):
            authenticator = Authenticator(settings, pool, OidcProvider(http, ISSUER))

            async def full() -> object:
                return await authenticator.from_bearer(token)

            print(f"RS256 access token verification, {seconds:.0f} s each, one core")
            baseline = await rate("bare joserfc jwt.decode (signature only)", seconds, bare)
            ours = await rate("verify_jwt (cached keys, all claim checks)", seconds, verified)
            whole = await rate("Authenticator.from_bearer (to a Principal)", seconds, full)
            print(f"  ratio verify_jwt / bare                      {ours / baseline:9.2f}")
            print(f"  ratio from_bearer / bare                     {whole / baseline:9.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    asyncio.run(main(parser.parse_args().seconds))
