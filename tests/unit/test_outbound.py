"""PublicOnlyTransport: publishers' names are resolved, checked and connected to as checked."""

from __future__ import annotations

import httpx
import pytest

from catalogue.outbound import PublicOnlyTransport, Resolver, publisher_client

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
