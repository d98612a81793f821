"""The platform's signing keys: sealed at rest, verified exactly as published, across processes."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import httpx
import msgspec
import pytest
from joserfc.jwk import RSAKey

from catalogue import migrations
from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.database import connect
from catalogue.demo.identities import seed_identities
from catalogue.identity import jwks, keys
from catalogue.identity.demo import demo_person_id
from catalogue.identity.keys import (
    SigningKeyLockedError,
    current_signing_key,
    key_sealer,
    rotate_signing_key,
)
from catalogue.identity.secrets import derive_key
from catalogue.identity.tokens import issue_access_token
from catalogue.middleware import RequestContext
from catalogue.webhooks import signing
from tests.integration.conftest import open_client
from tests.logs import capture_logs
from tests.support.demo_server import catalogue_env
from tests.support.oidc_provider import FakeProvider, new_key
from tests.support.waiting import wait_until_async

CATALOGUE = [sys.executable, "-m", "catalogue"]
NEW_SECRET = "n" * 40


def kid_of(token: str) -> str:
    header = token.split(".", maxsplit=1)[0]
    kid: str = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    return kid


async def accepted(client: httpx.AsyncClient, token: str) -> int:
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *CATALOGUE, *args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def listening(app: RequestContext) -> None:
    await asyncio.wait_for(app.app.state.listener.listening.wait(), timeout=5)


@pytest.fixture
async def teacher(conn: asyncpg.Connection) -> UUID:
    await seed_identities(conn)
    return await demo_person_id(conn, "teacher")


async def test_private_keys_are_sealed_at_rest(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings, teacher: UUID
) -> None:
    token = await issue_access_token(conn, settings, subject=str(teacher))
    assert await accepted(client, token) == 200
    rows = await conn.fetch("SELECT kid, private_jwk, private_sealed, public_jwk FROM signing_keys")
    key = await current_signing_key(conn, key_sealer(settings))
    private_d = str(key.as_dict(private=True)["d"])
    for row in rows:
        assert row["private_jwk"] is None
        assert "d" not in row["public_jwk"]
        stored = bytes(row["private_sealed"])
        assert private_d.encode() not in stored
        assert base64.urlsafe_b64decode(private_d + "==") not in stored
    # Under another secret, the stored key does not open.
    other = msgspec.structs.replace(settings, secret_key="o" * 40)
    with pytest.raises(SigningKeyLockedError, match="CATALOGUE_SECRET_KEY"):
        await issue_access_token(conn, other, subject=str(teacher))
    # During a change of secret, the previous one still opens it.
    changing = msgspec.structs.replace(
        settings, secret_key="o" * 40, previous_secret_key=settings.secret_key
    )
    assert kid_of(await issue_access_token(conn, changing, subject=str(teacher))) == key.kid


async def test_keys_stored_in_clear_are_sealed_at_the_first_start(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = migrations.available()
    monkeypatch.setattr(
        migrations, "available", lambda: tuple(m for m in shipped if m.version < 17)
    )
    conn = await connect(empty_database_url)
    try:
        await migrations.migrate(conn)
        # As the previous version stored them: a retired key and the current one, in clear.
        retired, current = new_key(), new_key()
        await conn.execute(
            "INSERT INTO signing_keys (kid, private_jwk, created_at, retired_at) "
            "VALUES ($1, $2, now() - interval '1 day', now() - interval '5 minutes')",
            retired.kid,
            retired.as_dict(private=True),
        )
        await conn.execute(
            "INSERT INTO signing_keys (kid, private_jwk) VALUES ($1, $2)",
            current.kid,
            current.as_dict(private=True),
        )
        monkeypatch.undo()
        await migrations.migrate(conn)
        settings = Settings(
            database_url=empty_database_url,
            data_dir=tmp_path,
            secret_key="m" * 40,
            embedded_worker=False,
        )
        async for client in open_client(create_asgi_app(settings)):
            rows = {
                r["kid"]: r
                for r in await conn.fetch(
                    "SELECT kid, private_jwk, private_sealed, public_jwk FROM signing_keys"
                )
            }
            assert rows[current.kid]["private_jwk"] is None
            assert rows[current.kid]["private_sealed"] is not None
            assert rows[retired.kid]["private_jwk"] is None  # never signs again
            assert rows[retired.kid]["private_sealed"] is None
            assert rows[current.kid]["public_jwk"] == dict(current.as_dict(private=False))
            published = (await client.get("/.well-known/jwks.json")).json()["keys"]
            assert {k["kid"] for k in published} == {current.kid, retired.kid}
            person = await conn.fetchval(
                "INSERT INTO people (issuer, subject, roles) VALUES ('urn:x', 's', '{teacher}') "
                "RETURNING id"
            )
            token = await issue_access_token(conn, settings, subject=str(person))
            assert kid_of(token) == current.kid  # the same key signs, now sealed
            assert await accepted(client, token) == 200
    finally:
        await conn.close()


async def test_a_rotation_by_another_process_is_accepted_at_once(
    settings: Settings, conn: asyncpg.Connection, teacher: UUID
) -> None:
    """A NOTIFY from the rotation makes every server read the keys again: the new key is
    never refused, even just after the verifier read the keys for another reason."""
    app = create_asgi_app(settings)
    async for client in open_client(app):
        await listening(app)
        before = await issue_access_token(conn, settings, subject=str(teacher))
        assert await accepted(client, before) == 200
        # An unknown kid: the verifier reads the keys, then may not again for 10 seconds.
        provider = FakeProvider()
        stranger = provider.sign({"iss": settings.issuer, "sub": str(teacher)}, key=new_key())
        assert await accepted(client, stranger) == 401

        code, _, err = await cli(
            "keys",
            "rotate",
            env=catalogue_env({"DATABASE_URL": str(settings.database_url)})
            | {"CATALOGUE_SECRET_KEY": str(settings.secret_key)},
        )
        assert code == 0, err
        after = await issue_access_token(conn, settings, subject=str(teacher))
        assert kid_of(after) != kid_of(before)

        async def new_key_accepted() -> bool:
            status = await accepted(client, after)  # noqa: B023  # open_client yields once
            assert status in (200, 401)
            return status == 200

        await wait_until_async(
            new_key_accepted, "the new key to be accepted", timeout_s=1.0, interval_s=0.02
        )
        assert await accepted(client, before) == 200  # still published for its tokens


async def test_a_retired_key_stops_verifying_when_it_leaves_the_jwks(
    settings: Settings, conn: asyncpg.Connection, teacher: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "RETIRED_KEY_PUBLISHED_S", 1.5)
    async for client in open_client(create_asgi_app(settings)):
        old = await issue_access_token(conn, settings, subject=str(teacher))
        assert await accepted(client, old) == 200
        await rotate_signing_key(conn, key_sealer(settings))
        assert await accepted(client, old) == 200
        # Time passing is the behaviour: a retired key stays published for 1.5 s here.
        await asyncio.sleep(1.7)
        published = (await client.get("/.well-known/jwks.json")).json()["keys"]
        assert kid_of(old) not in {k["kid"] for k in published}
        with capture_logs() as logs:
            refused = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"})
        assert refused.status_code == 401
        reasons = [line["reason"] for line in logs if line["event"] == "token refused"]
        assert len(reasons) == 1
        assert "unknown signing key" in reasons[0]


async def test_a_key_the_provider_no_longer_publishes_stops_verifying(
    oidc_settings: Settings, provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jwks, "PROVIDER_KEYS_MAX_AGE_S", 0.5)
    app = create_asgi_app(oidc_settings, http_transport=provider.transport)
    async for client in open_client(app):
        old = provider.access_token()
        assert await accepted(client, old) == 200
        provider.keys = [new_key()]  # the provider rotated and dropped the old key
        await asyncio.sleep(0.6)  # time passing is the behaviour: past the keys' 0.5 s max age
        assert await accepted(client, old) == 401
        assert await accepted(client, provider.access_token()) == 200


async def test_keys_rotate_reencrypt_after_a_change_of_secret(
    settings: Settings, conn: asyncpg.Connection, teacher: UUID
) -> None:
    old_secret = str(settings.secret_key)
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions R', 'approved') RETURNING id"
    )
    webhook_secret = b"w" * 32
    old_webhook_key = derive_key(old_secret, "webhooks")
    await conn.execute(
        "INSERT INTO publisher_webhooks (publisher_id, url, secret_encrypted) "
        "VALUES ($1, 'https://hooks.example/x', $2)",
        publisher,
        signing.encrypt(old_webhook_key, publisher, webhook_secret),
    )
    before = await issue_access_token(conn, settings, subject=str(teacher))
    env = catalogue_env({"DATABASE_URL": str(settings.database_url)}) | {
        "CATALOGUE_SECRET_KEY": NEW_SECRET
    }

    code, _, err = await cli("keys", "rotate", "--reencrypt", env=env)
    assert code == 1
    assert "CATALOGUE_PREVIOUS_SECRET_KEY" in err

    env["CATALOGUE_PREVIOUS_SECRET_KEY"] = old_secret
    code, out, err = await cli("keys", "rotate", "--reencrypt", env=env)
    assert code == 0, err
    assert "1 webhook secret(s)" in out

    changed = msgspec.structs.replace(settings, secret_key=NEW_SECRET)
    after = await issue_access_token(conn, changed, subject=str(teacher))
    assert kid_of(after) != kid_of(before)
    stored = await conn.fetchval(
        "SELECT secret_encrypted FROM publisher_webhooks WHERE publisher_id = $1", publisher
    )
    new_webhook_key = derive_key(NEW_SECRET, "webhooks")
    assert signing.decrypt(new_webhook_key, publisher, bytes(stored)) == webhook_secret
    async for client in open_client(create_asgi_app(changed)):
        assert await accepted(client, after) == 200
        assert await accepted(client, before) == 200  # its public half is still published


def test_sealed_keys_open_only_with_their_kid() -> None:
    sealer = keys.KeySealer(current=b"k" * 32)
    key = RSAKey.import_key(new_key().as_dict(private=True))
    sealed = sealer.seal(key)
    assert sealer.open(keys.kid_of(key), sealed).as_dict(private=True) == key.as_dict(private=True)
    with pytest.raises(SigningKeyLockedError):
        sealer.open(str(uuid4()), sealed)
