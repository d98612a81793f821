"""GAR calls over mutual TLS, against a real HTTPS server on 127.0.0.1 that requires a
client certificate; the GAR settings, and a certificate that cannot be read."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import msgspec
import pytest
from lxml import etree

from catalogue.config import GarSettings, settings_from
from catalogue.errors import ConfigurationError
from catalogue.gar.subscriptions import Audience, Subscription, licences_for
from catalogue.gar.transport import (
    GarAnswer,
    creation,
    deletion,
    gar_client,
    kept_client,
    send,
    update,
)
from catalogue.shipped import schemas_dir
from tests.support.demo_server import free_port
from tests.support.gar_server import DISTRIBUTOR_ID, GarService, Pki, Received, serving

SUBSCRIPTION = Subscription(
    id="CAT-0f9c2a4e5b6d4c3a8e1f2a3b4c5d6e7f",
    distributor_id=DISTRIBUTOR_ID,
    resource_id="ark:/99999/gar-tests/atelier-fractions",
    resource_label="Atelier des fractions",
    valid_from=datetime(2026, 8, 31, 22, 0, tzinfo=UTC),
    valid_until=datetime(2027, 8, 31, 21, 59, 59, tzinfo=UTC),
    establishment_uai="0450822Z",
    licences=licences_for("establishment", None),
    audiences=(Audience.TEACHER, Audience.PUPIL),
)
PATH = "/abonnements/CAT-0f9c2a4e5b6d4c3a8e1f2a3b4c5d6e7f"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.make(tmp_path_factory.mktemp("gar-pki"))


@pytest.fixture
def gar(pki: Pki) -> Iterator[GarService]:
    with serving(GarService(pki)) as service:
        yield service


def valid(document: bytes) -> bool:
    schema = etree.XMLSchema(etree.parse(str(schemas_dir() / "gar" / "abonnement.xsd")))
    return bool(schema.validate(etree.fromstring(document).getroottree()))


async def test_create_update_and_delete_arrive_with_their_method_and_body(
    gar: GarService, pki: Pki
) -> None:
    settings = pki.settings(gar.url)
    async with gar_client(settings) as client:
        answers = [
            await send(client, settings, creation(SUBSCRIPTION)),
            await send(client, settings, update(SUBSCRIPTION)),
            await send(client, settings, deletion(SUBSCRIPTION.id)),
        ]
    assert [a.status for a in answers] == [201, 200, 204]
    assert all(a.ok for a in answers)
    put, post, delete = gar.received
    assert (put.method, put.path, put.content_type) == ("PUT", PATH, "application/xml")
    assert (post.method, post.path, post.content_type) == ("POST", PATH, "application/xml")
    assert (delete.method, delete.path, delete.body) == ("DELETE", PATH, b"")
    assert put.body == creation(SUBSCRIPTION).body
    assert post.body == update(SUBSCRIPTION).body
    assert valid(put.body)
    assert valid(post.body)
    assert b"<uaiEtab>0450822Z</uaiEtab>" in put.body
    assert b"uaiEtab" not in post.body
    assert b"<nbLicenceGlobale>ILLIMITE</nbLicenceGlobale>" in put.body


async def test_an_answer_that_is_not_2xx_comes_back_with_its_status_and_body(
    gar: GarService, pki: Pki
) -> None:
    gar.failure = (503, "service en maintenance")
    settings = pki.settings(gar.url)
    async with gar_client(settings) as client:
        answer = await send(client, settings, creation(SUBSCRIPTION))
    assert answer == GarAnswer(status=503, body="service en maintenance")
    assert not answer.ok


async def test_a_wrong_client_certificate_is_refused_at_the_tls_level(
    gar: GarService, pki: Pki
) -> None:
    settings = pki.settings(gar.url, stranger=True)
    async with gar_client(settings) as client:
        with pytest.raises(httpx.TransportError):
            await send(client, settings, creation(SUBSCRIPTION))
    assert gar.received == []  # the request never reached the service
    # The service goes on: the platform's certificate still gets through.
    good = pki.settings(gar.url)
    async with gar_client(good) as client:
        assert (await send(client, good, deletion(SUBSCRIPTION.id))).status == 204
    assert gar.received == [Received("DELETE", PATH, b"", None)]


async def test_a_server_the_ca_bundle_does_not_vouch_for_is_refused(
    gar: GarService, pki: Pki
) -> None:
    # The client certificate stands in for a CA bundle that does not sign the server's.
    settings = GarSettings(
        url=gar.url,
        client_cert=pki.client_cert,
        client_key=pki.client_key,
        ca_bundle=pki.stranger_cert,
        distributor_id=DISTRIBUTOR_ID,
    )
    async with gar_client(settings) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await send(client, settings, creation(SUBSCRIPTION))
    assert gar.received == []


def test_no_gar_setting_is_gar_off_and_partial_settings_name_what_is_missing(
    pki: Pki,
) -> None:
    assert settings_from({}).gar is None
    full = {
        "CATALOGUE_GAR_URL": "https://abonnement.gar.example/",
        "CATALOGUE_GAR_CLIENT_CERT": str(pki.client_cert),
        "CATALOGUE_GAR_CLIENT_KEY": str(pki.client_key),
        "CATALOGUE_GAR_CA_BUNDLE": str(pki.ca_bundle),
        "CATALOGUE_GAR_DISTRIBUTOR_ID": DISTRIBUTOR_ID,
        "CATALOGUE_GAR_PROJECT_CODE": "PROJET",
    }
    assert settings_from(full).gar == GarSettings(
        url="https://abonnement.gar.example",
        client_cert=pki.client_cert,
        client_key=pki.client_key,
        ca_bundle=pki.ca_bundle,
        distributor_id=DISTRIBUTOR_ID,
        project_code="PROJET",
    )
    with pytest.raises(
        ConfigurationError,
        match="CATALOGUE_GAR_CLIENT_KEY is required when CATALOGUE_GAR_URL is set",
    ):
        settings_from({**full, "CATALOGUE_GAR_CLIENT_KEY": ""})
    with pytest.raises(ConfigurationError, match="CATALOGUE_GAR_URL must be an https:// URL"):
        settings_from({**full, "CATALOGUE_GAR_URL": "http://abonnement.gar.example"})
    with pytest.raises(ConfigurationError, match="CATALOGUE_GAR_DISTRIBUTOR_ID must be"):
        settings_from({**full, "CATALOGUE_GAR_DISTRIBUTOR_ID": "123456789"})


@pytest.mark.parametrize(
    ("broken", "setting", "message"),
    [
        ("client_cert", "CATALOGUE_GAR_CLIENT_CERT", "cannot read"),
        ("client_key", "CATALOGUE_GAR_CLIENT_KEY", "cannot read"),
        ("ca_bundle", "CATALOGUE_GAR_CA_BUNDLE", "cannot read"),
        ("cert_not_pem", "CATALOGUE_GAR_CLIENT_CERT", "holds no PEM certificate"),
        ("key_of_another", "CATALOGUE_GAR_CLIENT_KEY", "is not a usable private key"),
        ("ca_garbage", "CATALOGUE_GAR_CA_BUNDLE", "holds no usable CA certificate"),
    ],
)
def test_a_certificate_that_cannot_be_used_names_its_setting(
    tmp_path: Path, pki: Pki, broken: str, setting: str, message: str
) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("pas un certificat\n", encoding="utf-8")
    missing = tmp_path / "absent.pem"
    settings = pki.settings("https://abonnement.gar.example")
    changes: dict[str, Path] = {
        "client_cert": {"client_cert": missing},
        "client_key": {"client_key": missing},
        "ca_bundle": {"ca_bundle": missing},
        "cert_not_pem": {"client_cert": garbage},
        "key_of_another": {"client_key": pki.stranger_key},
        "ca_garbage": {"ca_bundle": garbage},
    }[broken]
    with pytest.raises(ConfigurationError) as raised:
        gar_client(msgspec.structs.replace(settings, **changes))
    assert raised.value.detail.startswith(f"{setting}: ")
    assert message in raised.value.detail


def test_serve_refuses_to_start_on_a_certificate_it_cannot_read(tmp_path: Path, pki: Pki) -> None:
    env = {
        **os.environ,
        "CATALOGUE_DATA_DIR": str(tmp_path / "data"),
        "CATALOGUE_GAR_URL": "https://abonnement.gar.example",
        "CATALOGUE_GAR_CLIENT_CERT": str(tmp_path / "absent.pem"),
        "CATALOGUE_GAR_CLIENT_KEY": str(pki.client_key),
        "CATALOGUE_GAR_DISTRIBUTOR_ID": DISTRIBUTOR_ID,
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "catalogue", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    absent = tmp_path / "absent.pem"
    refusal = f"catalogue: error: CATALOGUE_GAR_CLIENT_CERT: cannot read {absent}: No such file"
    assert done.stderr.splitlines() == [f"{refusal} or directory"]
    assert not (tmp_path / "data").exists()  # refused before anything was started


async def test_one_client_sends_its_calls_over_one_kept_connection(
    gar: GarService, pki: Pki
) -> None:
    settings = pki.settings(gar.url)
    async with gar_client(settings) as client:
        for _ in range(5):
            assert (await send(client, settings, deletion(SUBSCRIPTION.id))).status == 204
    assert len(gar.received) == 5
    assert gar.connections == 1  # one TLS handshake with the client certificate


async def test_a_kept_connection_the_gar_closed_is_replaced_not_failed(pki: Pki) -> None:
    """The GAR closes a connection left idle past its keep-alive timeout: the client's pool
    sees it closed before the next call and opens another, the call goes through."""
    with serving(GarService(pki, idle_timeout_s=0.1)) as service:
        settings = pki.settings(service.url)
        async with gar_client(settings) as client:
            for _ in range(3):
                assert (await send(client, settings, creation(SUBSCRIPTION))).status == 201
                await asyncio.sleep(0.4)  # idle: the GAR closes the connection
        assert service.connections == 3
        assert len(service.received) == 3


def _own_pki(pki: Pki, folder: Path) -> Pki:
    """The platform's certificate files copied where a test may renew them."""
    own = dataclasses.replace(
        pki,
        client_cert=folder / "client.pem",
        client_key=folder / "client-key.pem",
        ca_bundle=folder / "ca.pem",
    )
    for mine, theirs in ((own.client_cert, pki.client_cert), (own.client_key, pki.client_key)):
        shutil.copyfile(theirs, mine)
    shutil.copyfile(pki.ca_bundle, own.ca_bundle)
    return own


async def test_the_kept_client_lasts_until_its_certificate_is_renewed(
    gar: GarService, pki: Pki, tmp_path: Path
) -> None:
    own = _own_pki(pki, tmp_path)
    settings = own.settings(gar.url)
    async with kept_client(settings) as kept:
        assert kept is not None
        for _ in range(3):  # three jobs
            async with kept.lease() as client:
                assert (await send(client, settings, deletion(SUBSCRIPTION.id))).status == 204
        assert (kept.built, gar.connections) == (1, 1)
        first = client
        # A renewal replaces the files at the same paths (here by a certificate the GAR does
        # not trust): the next job takes it up, as when each job built its own client.
        shutil.copyfile(pki.stranger_cert, own.client_cert)
        shutil.copyfile(pki.stranger_key, own.client_key)
        async with kept.lease() as client:
            assert closed(first)  # unused: closed with its connection
            with pytest.raises(httpx.TransportError):
                await send(client, settings, deletion(SUBSCRIPTION.id))
        assert kept.built == 2
        # A file that cannot be read fails the job, naming its setting; the next one retries.
        own.client_key.unlink()
        with pytest.raises(ConfigurationError, match="CATALOGUE_GAR_CLIENT_KEY"):
            async with kept.lease():
                pass
        shutil.copyfile(pki.client_cert, own.client_cert)
        shutil.copyfile(pki.client_key, own.client_key)
        async with kept.lease() as client:
            assert (await send(client, settings, deletion(SUBSCRIPTION.id))).status == 204
    assert closed(client)  # closed with the worker
    assert len(gar.received) == 4


async def test_a_client_in_use_is_closed_only_when_its_drain_ends(
    gar: GarService, pki: Pki, tmp_path: Path
) -> None:
    own = _own_pki(pki, tmp_path)
    settings = own.settings(gar.url)
    async with kept_client(settings) as kept:
        assert kept is not None
        async with kept.lease() as sending:
            os.utime(own.client_cert, ns=(1, 1))  # renewed while a drain sends
            async with kept.lease() as other:
                assert other is not sending
                assert [closed(sending), closed(other)] == [False, False]
                assert (await send(sending, settings, deletion(SUBSCRIPTION.id))).status == 204
            assert [closed(sending), closed(other)] == [False, False]  # `other` is current
        assert [closed(sending), closed(other)] == [True, False]  # its drain is done
    assert [closed(sending), closed(other)] == [True, True]  # the worker is done


def closed(client: httpx.AsyncClient) -> bool:
    return client.is_closed
