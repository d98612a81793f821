"""PublicOnlyTransport: publishers' names are resolved, checked and connected to as checked."""

from __future__ import annotations

import httpx
import pytest

from catalogue.outbound import PublicOnlyTransport, Resolver, publisher_client, url_problem

PUBLIC = "93.184.216.34"


def fake_dns(answers: dict[str, list[str]]) -> Resolver:
    async def resolve(host: str, _port: int) -> list[str]:
        if host not in answers:
            raise OSError("Name or service not known")
        return answers[host]

    return resolve


class Recorder:
    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(204)


async def test_a_public_name_is_reached_at_the_address_checked_under_its_own_name() -> None:
    recorder = Recorder()
    transport = PublicOnlyTransport(
        httpx.MockTransport(recorder), fake_dns({"hooks.editeur.example": [PUBLIC]})
    )
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.post("https://hooks.editeur.example:8443/h?x=1", content=b"{}")
    assert response.status_code == 204
    [sent] = recorder.sent
    assert str(sent.url) == f"https://{PUBLIC}:8443/h?x=1"
    assert sent.headers["host"] == "hooks.editeur.example:8443"
    assert sent.extensions["sni_hostname"] == "hooks.editeur.example"


@pytest.mark.parametrize(
    "addresses",
    [
        ["10.0.0.5"],  # a private network
        ["169.254.169.254"],  # a cloud metadata service
        [PUBLIC, "127.0.0.1"],  # one internal answer among public ones is enough
        ["::ffff:192.168.1.1"],
        ["fe80::1%eth0"],
        [],
    ],
)
async def test_a_name_resolving_to_an_internal_address_is_refused(addresses: list[str]) -> None:
    recorder = Recorder()
    transport = PublicOnlyTransport(
        httpx.MockTransport(recorder), fake_dns({"rebind.example": addresses})
    )
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(httpx.ConnectError, match="internal address refused"):
            await http.get("https://rebind.example/jwks.json")
    assert recorder.sent == []


async def test_an_unknown_name_is_a_connection_error() -> None:
    transport = PublicOnlyTransport(httpx.MockTransport(Recorder()), fake_dns({}))
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(httpx.ConnectError, match="cannot resolve"):
            await http.get("https://nowhere.example/")


async def test_in_production_the_publishers_client_refuses_this_machine() -> None:
    """The system resolver this time: localhost is the machine itself."""
    recorder = Recorder()
    transport = httpx.MockTransport(recorder)
    async with publisher_client(production=True, transport=transport) as http:
        with pytest.raises(httpx.ConnectError, match="internal address refused"):
            await http.get("https://localhost:9/h")
    async with publisher_client(production=False, transport=transport) as http:
        assert (await http.get("http://localhost:9/h")).status_code == 204
    assert [str(r.url) for r in recorder.sent] == ["http://localhost:9/h"]


# Addresses that carry or reach an IPv4 address through a translator, a tunnel or a legacy
# form: where they lead is not the address itself, so none is a public destination.
TRANSLATED_OR_TUNNELLED = [
    "64:ff9b::a00:5",  # NAT64 (RFC 6052) of 10.0.0.5
    "64:ff9b::808:808",  # NAT64 of a public address: the translator is still ours
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 (RFC 8215) of 169.254.169.254
    "2002:a00:5::1",  # 6to4 of 10.0.0.5
    "2002:808:808::1",  # 6to4 of a public address: a relay decides where it goes
    "::10.0.0.5",  # IPv4-compatible (deprecated)
    "::8.8.8.8",
    "::ffff:10.0.0.5",  # IPv4-mapped: the socket reaches the IPv4 address itself
    "::ffff:8.8.8.8",
    "::ffff:127.0.0.1",
    "fec0::1",  # site-local (deprecated, still routed inside some networks)
    "feff::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001::a00:5",
]


@pytest.mark.parametrize("address", TRANSLATED_OR_TUNNELLED)
def test_translated_tunnelled_and_legacy_ipv6_literals_are_refused(address: str) -> None:
    assert url_problem(f"https://[{address}]/hook", production=True) == "adresse interne refusée"
    assert url_problem(f"https://[{address}]/hook", production=False) is None


@pytest.mark.parametrize("address", TRANSLATED_OR_TUNNELLED)
async def test_a_name_resolving_to_a_translated_or_tunnelled_address_is_refused(
    address: str,
) -> None:
    recorder = Recorder()
    transport = PublicOnlyTransport(
        httpx.MockTransport(recorder), fake_dns({"tunnel.example": [address]})
    )
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(httpx.ConnectError, match="internal address refused"):
            await http.get("https://tunnel.example/jwks.json")
    assert recorder.sent == []


@pytest.mark.parametrize("address", ["2606:4700:4700::1111", "2a00:1450:4007:80e::200e"])
def test_public_ipv6_addresses_stay_allowed(address: str) -> None:
    assert url_problem(f"https://[{address}]/hook", production=True) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://0177.0.0.1/x",  # octal, which httpx refuses to read
        "https://300.1.1.1/x",
        "https://[::1/x",
        "https://editeur.example:99999/x",
        "https://127.1/x",  # the resolver reads these as 127.0.0.1; httpx as names
        "https://0x7f000001/x",
        "https://2130706433/x",
    ],
)
@pytest.mark.parametrize("production", [True, False])
def test_a_url_httpx_cannot_use_is_refused_when_given(url: str, production: bool) -> None:
    problem = url_problem(url, production=production)
    assert problem is not None
    assert problem.startswith("URL illisible")
